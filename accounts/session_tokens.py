"""Short-lived JWTs for signed-in browser pages (their WebSocket), from the Django session.

The local provider mints one; with Cognito the tokens of the page's sign-in are kept in the
session and refreshed through the pool when they are about to expire.
"""

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from accounts.models import User
from accounts.providers import cognito, local
from accounts.providers.local import TokenKind
from lib.errors import Unauthorized

_SESSION_KEY = "accounts.cognito_tokens"
# Refresh a Cognito token this long before it expires, so a socket never opens with a dying one.
_MARGIN_SECONDS = 60


@dataclass(frozen=True)
class SessionToken:
    token: str
    expires_in: int


def remember(session: SessionBase, result: dict[str, Any]) -> None:
    """Keep a Cognito sign-in's tokens in the (server-side) session."""
    session[_SESSION_KEY] = {
        "id": result["IdToken"],
        "access": result["AccessToken"],
        "refresh": result.get("RefreshToken") or session.get(_SESSION_KEY, {}).get("refresh", ""),
        "expires_at": int(time.time()) + int(result["ExpiresIn"]),
    }


def forget(session: SessionBase) -> str:
    """Drop the kept tokens; answers the access token (for a global sign-out) or ''."""
    return session.pop(_SESSION_KEY, {}).get("access", "")


def token_for_session(*, user: User, session: SessionBase) -> SessionToken:
    """A token of the kind the API accepts (access preferred) for the signed-in ``user``."""
    kind: TokenKind = "access" if "access" in settings.JWT_ACCEPTED_TOKEN_USE else "id"
    if settings.AUTH_PROVIDER != "cognito":
        ttl = settings.JWT_SESSION_TOKEN_TTL_SECONDS
        return SessionToken(token=local.issue_token(user=user, kind=kind, ttl=ttl), expires_in=ttl)
    kept = session.get(_SESSION_KEY)
    if not kept:
        raise Unauthorized("This session holds no Cognito tokens; sign in again.")
    if kept["expires_at"] - time.time() < _MARGIN_SECONDS:
        remember(session, cognito.refresh(refresh_token=kept["refresh"], username=user.email))
        kept = session[_SESSION_KEY]
    return SessionToken(token=kept[kind], expires_in=int(kept["expires_at"] - time.time()))
