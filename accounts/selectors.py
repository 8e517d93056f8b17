"""Reads of accounts that other apps and the API share."""

from uuid import UUID

from accounts.models import User
from lib.errors import NotFound


def active_user(*, user_id: UUID) -> User:
    """Someone whose profile may be shown: an active account; NotFound otherwise."""
    user = User.objects.filter(id=user_id, is_active=True).first()
    if user is None:
        raise NotFound("No such author.")
    return user
