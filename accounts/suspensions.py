"""Suspending an account, for a time or for ever, and reinstating it.

A suspension takes effect at once everywhere the account speaks: its tokens are refused by the
one validator (``services.user_for_identity``), its sessions end on their next request (the
session hash changes, see ``User.get_session_auth_hash``), and ``account_suspended`` (sent on
commit) has its open connections closed (``lib.account_connections``, connected by the
realtime app): its WebSockets and SSE streams. Its owner is told why
(``User.suspension_notice``) whenever they are refused.
"""

from datetime import datetime

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import SUSPENDED_FOREVER, SUSPENSION_REASON_MAX_LENGTH, User
from lib.errors import Forbidden, InvalidInput
from lib.text import has_uncarriable_characters

# Sent once a suspension is committed, with ``user_id``.
account_suspended = Signal()
# Sent in the transaction of a suspension or a reinstatement, with ``user``, ``by``,
# ``suspended`` (False: reinstated), ``reason`` and ``until``: what the moderation log records.
suspension_changed = Signal()


def suspend(*, user: User, by: User, reason: str, until: datetime | None) -> User:
    """Suspend ``user`` until ``until`` (None: for ever), telling them ``reason``."""
    _check_may_suspend(user=user, by=by)
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": ["Give the reason the account's owner will be shown."]})
    if len(reason) > SUSPENSION_REASON_MAX_LENGTH or has_uncarriable_characters(reason):
        raise InvalidInput(
            {"reason": [f"Keep the reason to {SUSPENSION_REASON_MAX_LENGTH} plain characters."]}
        )
    if until is not None and until <= timezone.now():
        raise InvalidInput({"until": ["A suspension ends in the future."]})
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            suspended_until=until or SUSPENDED_FOREVER,
            suspension_reason=reason,
            updated_at=timezone.now(),
        )
        user_id = user.pk
        suspension_changed.send(
            sender=User, user=user, by=by, suspended=True, reason=reason, until=until
        )
        transaction.on_commit(lambda: account_suspended.send(sender=User, user_id=user_id))
    user.refresh_from_db(fields=["suspended_until", "suspension_reason", "updated_at"])
    return user


def reinstate(*, user: User, by: User) -> bool:
    """End ``user``'s suspension; False when they were not suspended (nothing changes)."""
    _check_may_suspend(user=user, by=by)
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, suspended_until__isnull=False).update(
            suspended_until=None, suspension_reason="", updated_at=timezone.now()
        )
        if changed:
            suspension_changed.send(
                sender=User, user=user, by=by, suspended=False, reason="", until=None
            )
    user.refresh_from_db(fields=["suspended_until", "suspension_reason", "updated_at"])
    return bool(changed)


def _check_may_suspend(*, user: User, by: User) -> None:
    if not by.has_perm("accounts.suspend_user"):
        raise Forbidden("You may not suspend accounts.")
    if user.pk == by.pk:
        raise Forbidden("You cannot suspend your own account.")
    # An editor suspending another editor, or a superuser, would be a way around the roles.
    if (user.is_staff or user.is_superuser) and not by.is_superuser:
        raise Forbidden("Only a superuser can suspend a staff account.")
