"""Automation rules (issue 13 part 2) and the SLA alerts, on one rule engine.

`engine.run_rules()` (the periodic task `advocacy.tasks.run_automation`, every minute)
asks each enabled rule which steps are due and does each once: the step's
`AutomationAction` row, unique per (rule, subject, step), is created in the transaction
that does it, so two workers at once and re-runs never do a step twice, and that row is
the activity log the manager reads at /community/automation/. The SLA sweep runs its
tiered alerts through the same engine (`rules.SlaAlerts`).
"""
