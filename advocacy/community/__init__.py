"""Community self-moderation: close and reopen votes, edit suggestions and their review
queue. Writes live in `advocacy.services.community`."""
