"""Writes of client sessions."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from lib.errors import Forbidden
from sessions_app.ids import derive_session_id, session_key
from sessions_app.models import ClientSession

STALE_AFTER = timedelta(hours=24)
# last_used_at is for cleanup, which works in hours: a write per minute at most is plenty.
TOUCH_INTERVAL = timedelta(minutes=1)


def delete_stale_sessions(*, older_than: timedelta = STALE_AFTER) -> int:
    """Delete sessions unused for ``older_than`` (their chunks go with them); how many went.

    One DELETE statement, so concurrent runs from cron are safe.
    """
    cutoff = timezone.now() - older_than
    _, deleted_by_model = ClientSession.objects.filter(last_used_at__lt=cutoff).delete()
    return deleted_by_model.get(ClientSession._meta.label, 0)


def user_sub(user: User) -> str:
    """The identity a session id is derived from: the Cognito ``sub``, else the user's id."""
    return user.cognito_sub or str(user.id)


def open_session(*, user: User, client_uuid: uuid.UUID) -> ClientSession:
    """The session of ``user`` in the browser ``client_uuid``, created or marked used now.

    The id is deterministic, so a reconnecting browser gets its channel back; two tabs asking
    at once get the same row. A user keeps at most REALTIME_MAX_SESSIONS_PER_USER sessions:
    a new one beyond that deletes the least recently used (with their chunks). Evicting rather
    than refusing keeps every browser the user opens working, where a refusal would lock the
    user out of live features until the stale ones expire; an evicted browser that comes back
    is told its session has expired and asks for a new one.
    """
    session_id = derive_session_id(
        key=session_key(settings.SECRET_KEY), user_sub=user_sub(user), client_uuid=client_uuid
    )
    now = timezone.now()
    with transaction.atomic():
        session, created = ClientSession.objects.update_or_create(
            session_id=session_id,
            defaults={"last_used_at": now},
            create_defaults={"user": user, "client_uuid": client_uuid, "last_used_at": now},
        )
        if session.user_id != user.id:
            # Only a changed SECRET_KEY with a reused sub could get here; never hand it over.
            raise Forbidden("This session belongs to someone else.")
        if created:
            _evict_least_recently_used(user=user, keep=session)
    return session


def _evict_least_recently_used(*, user: User, keep: ClientSession) -> None:
    # The user's row is locked so that two browsers opening sessions at once count in turn.
    User.objects.select_for_update().filter(pk=user.pk).exists()
    others = ClientSession.objects.filter(user=user).exclude(pk=keep.pk)
    evicted = list(
        others.order_by("-last_used_at", "-created_at", "pk").values_list("pk", flat=True)[
            max(settings.REALTIME_MAX_SESSIONS_PER_USER - 1, 0) :
        ]
    )
    if evicted:
        ClientSession.objects.filter(pk__in=evicted).delete()


def touch_session(*, session: ClientSession) -> None:
    """Mark the session used, writing at most once per TOUCH_INTERVAL whatever the traffic.

    The condition is in the UPDATE, so several processes touching at once write once.
    """
    now = timezone.now()
    if session.last_used_at > now - TOUCH_INTERVAL:
        return
    ClientSession.objects.filter(
        session_id=session.session_id, last_used_at__lte=now - TOUCH_INTERVAL
    ).update(last_used_at=now)
    session.last_used_at = now
