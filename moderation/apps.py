"""Moderation: readers' reports, the editors' queue, and the log of what moderators did."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.suspensions import suspension_changed
        from moderation.announcements import QUEUE_CHANNEL
        from moderation.permissions import is_moderator
        from moderation.services import log_suspension
        from realtime.namespaces import declare_broadcast_channel

        # Editors only: the queue names reporters and the reported text of hidden items.
        declare_broadcast_channel(QUEUE_CHANNEL, may_subscribe=is_moderator)
        suspension_changed.connect(log_suspension, dispatch_uid="moderation.log_suspension")
