"""Reads of client sessions, always for a given user."""

from accounts.models import User
from lib.errors import Forbidden
from sessions_app.models import ClientSession


def owned_session(*, user: User, session_id: str) -> ClientSession:
    """The session ``session_id`` of ``user``.

    A session that does not exist and one of another user get the same Forbidden, so the
    answer never tells whether someone else's session exists.
    """
    session = ClientSession.objects.filter(session_id=session_id, user=user).first()
    if session is None:
        raise Forbidden("This session is not yours, or it has expired: request a new one.")
    return session
