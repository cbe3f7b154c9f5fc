from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum")

    def ready(self) -> None:
        from forum import streams

        streams.register()  # `feed`, `lounge` and `question.<id>` on the live socket
        from forum.follows import handlers as follows

        follows.register()  # asking or answering follows the question
        from forum.views import list_cache

        list_cache.register()  # a change published on a question's stream: lists are due
        from forum.views import member_frame

        member_frame.register()  # a member's frames are due when what they show changes
