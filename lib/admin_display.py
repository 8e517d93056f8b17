"""Small display helpers shared by the read-only admin pages."""

from datetime import datetime

from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince


def age(moment: datetime) -> str:
    """'3 hours' — how long ago ``moment`` was."""
    return timesince(moment, timezone.now())


class ReadOnlyAdminMixin:
    """Rows the site writes itself: those who may see them may look and delete, never add or
    change."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
