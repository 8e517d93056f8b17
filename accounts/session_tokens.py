"""Short-lived JWTs for signed-in browser pages (their WebSocket), and the tokens a browser
sign-in keeps in its Django session for them.

The local provider mints one per request; Cognito's are the page's sign-in tokens, kept in
the session and refreshed through the pool when they are about to expire (see the providers).
"""

import time
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

TokenKind = Literal["id", "access"]

_SESSION_KEY = "accounts.cognito_tokens"
# Refresh a kept token this long before it expires, so a socket never opens with a dying one.
REFRESH_MARGIN_SECONDS = 60


@dataclass(frozen=True)
class SessionToken:
    token: str
    expires_in: int


def token_kind() -> TokenKind:
    """The kind of token the API accepts for a page (access preferred)."""
    return "access" if "access" in settings.JWT_ACCEPTED_TOKEN_USE else "id"


def remember(session: SessionBase, result: dict[str, Any]) -> None:
    """Keep a sign-in's (or refresh's) tokens in the (server-side) session."""
    session[_SESSION_KEY] = {
        "id": result["IdToken"],
        "access": result["AccessToken"],
        "refresh": result.get("RefreshToken") or session.get(_SESSION_KEY, {}).get("refresh", ""),
        "expires_at": int(time.time()) + int(result["ExpiresIn"]),
    }


def kept(session: SessionBase) -> dict[str, Any] | None:
    """The kept tokens: ``id``, ``access``, ``refresh`` and ``expires_at``; None without any."""
    return session.get(_SESSION_KEY) or None


def forget(session: SessionBase) -> str:
    """Drop the kept tokens; answers the access token (for a global sign-out) or ''."""
    return session.pop(_SESSION_KEY, {}).get("access", "")
