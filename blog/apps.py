"""Blog: posts and their threaded comments."""

from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from blog.announcements import CHANNELS
        from realtime.namespaces import declare_broadcast_channel

        for channel in CHANNELS:
            declare_broadcast_channel(channel)
