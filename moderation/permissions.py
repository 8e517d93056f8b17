"""Who moderates: editors (the Editors group's moderation permissions) and superusers."""

from typing import Any

# Given to the Editors group by migration 0002.
MODERATE = "moderation.change_report"


def is_moderator(user: Any) -> bool:
    """Whether ``user`` may see the queue, its live channel and the log, and resolve reports.
    Staff without the permission (support, infrastructure) may not."""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.has_perm(MODERATE)
    )
