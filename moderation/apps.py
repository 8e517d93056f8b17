"""Moderation: readers' reports, the editors' queue, and the log of what moderators did."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from moderation.announcements import QUEUE_CHANNEL
        from moderation.permissions import is_moderator
        from realtime.namespaces import declare_broadcast_channel

        # Editors only: the queue names reporters and the reported text of hidden items.
        declare_broadcast_channel(QUEUE_CHANNEL, may_subscribe=is_moderator)
