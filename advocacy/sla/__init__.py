"""Service levels: per-priority SLA policies for escalations and the tiered SLA rules
that watch waiting questions (the manager tunes both in the admin).

- `policies`: when an escalation's first response and resolution are due
  (`advocacy.desk.sla.due_times` asks here).
- `selectors`: which questions a rule step is due for, who is an online advocate for a
  question's tags, who is the team lead.
- `advocacy.services.sla`: the writes (a rule step fired, a breach recorded).
- `sweep.sweep_sla`: the timer; the periodic task `advocacy.tasks.sweep_sla` runs it in
  the worker every 30 seconds. All state is in the database (`SlaRuleFiring`, the
  escalation's breach flags), so a restart loses nothing and a sweep that runs twice
  fires each step once.
"""
