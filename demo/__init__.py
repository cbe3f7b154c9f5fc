"""The demo community: `manage.py seed_demo`, its seeders and content pools, and the
benchmark threads (`seeding.build_thread`). The top layer: imports any app, imported by
none (tests and bench/ aside)."""
