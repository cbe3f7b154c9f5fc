"""Fair play: votes that give no points, vote rings, and the sweep that reverses what
slipped through and lists the cases for staff.

- `detection`: the checks made as each vote arrives (inside the ledger writer).
- `sweep`: the scheduled sweep (`tasks.sweep_fair_play`, `manage.py sweep_fair_play`).
- `models`: the stored thresholds and the cases; `views`: the staff page.
"""
