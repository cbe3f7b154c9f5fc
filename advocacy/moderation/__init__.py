"""The moderation area's web layer: selectors, views, API, live stream, template tags."""
