"""Notifications: the bell (in-app notifications, `bell`), its page and API (`views`,
`api`), and e-mail (`mail`: instant, daily digest, preferences, one-click unsubscribe).
Above the forum: it reads the forum's rows; gamification and advocacy call
`bell.notify_member`."""
