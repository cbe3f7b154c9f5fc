"""The desk's pages (staff), the escalate form (advocates and staff) and "my escalations".

Thin: parse the form, fetch, call one service, redirect back with a message; a refused
act shows why (403 with the reason, 409 when another agent was first) and changes
nothing. Every page works without JavaScript; `static/js/desk.js` keeps the queue and a
case live on the `desk` stream and ticks the countdowns.

URL names (app "desk"): queue, case, claim, assign, bulk_assign, status, priority, note,
answer, resolve, dismiss, escalate, mine.
"""
