"""manage.py prune_idempotency_keys: delete the answers kept for idempotency keys once their
window is over (cron-safe)."""

from typing import Any

from django.conf import settings

from api.idempotency import prune_idempotency_keys
from lib.cleanup_command import CleanupCommand


class Command(CleanupCommand):
    help = (
        "Delete idempotency keys, and the answers kept for their retries, claimed longer ago "
        "than --older-than (default: IDEMPOTENCY_WINDOW_SECONDS, after which a key is new "
        "anyway). A shorter age lets a late retry of a deleted key run again."
    )
    noun = "idempotency key(s) claimed more than"

    delete = staticmethod(prune_idempotency_keys)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The window is a setting: read when the command runs, not when it is imported.
        self.default_age = f"{settings.IDEMPOTENCY_WINDOW_SECONDS}s"
        super().__init__(*args, **kwargs)
