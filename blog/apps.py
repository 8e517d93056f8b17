"""Blog: posts and their threaded comments."""

from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from blog import spam  # noqa: F401  (registers its system check)
        from blog.announcements import CHANNELS, HELD_COMMENTS_CHANNEL, may_review_comments
        from realtime.namespaces import declare_broadcast_channel

        for channel in CHANNELS:
            declare_broadcast_channel(channel)
        declare_broadcast_channel(HELD_COMMENTS_CHANNEL, may_subscribe=may_review_comments)
