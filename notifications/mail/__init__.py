"""E-mail notifications (PRODUCT.md, "Notifications and automation").

Each member chooses per notification kind: right away, in the daily digest, or never
(`preferences`; the settings page in `views`). New notifications are e-mailed by the task
worker, never in a request: `notifications.bell` calls `sending.schedule_notification_emails`,
which enqueues `notifications.tasks.send_notification_emails` after commit; the digest is the
periodic task `notifications.tasks.send_daily_digests` (07:00). Only to a verified address
(allauth), in the member's language, plain text and HTML, each with a one-click
unsubscribe link and the List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058;
`tokens`: signed, no login needed). An e-mail carries the notification's sentence, the
question's title and a link; never a post's or an internal note's text.
"""
