"""Who is speaking on the realtime socket: the JWT of an operation, else the page's session.

The JWT check itself belongs to the identity provider (``accounts.tokens``); this is the one
place the realtime code calls it.
"""

import re
from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from lib.errors import ServiceUnavailable, Unauthorized
from realtime.protocol import bearer_token

# header.payload.signature in base64url: anything else is not worth asking the validator about.
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def authenticate(headers: Mapping[str, str], session_user: User | AnonymousUser | None) -> User:
    """The user of ``headers``' JWT, else the signed-in user of the page's Django session.

    A token that is present but bad is refused even when a session would do: the client
    asked to be that token's identity. Raises Unauthorized (or ServiceUnavailable).
    """
    token = bearer_token(headers)
    if token is None:
        if isinstance(session_user, User) and session_user.is_active:
            return session_user
        raise Unauthorized("Sign in: send a JWT as Authorization, or use the site's session.")
    if not _JWT_SHAPE.match(token):
        raise Unauthorized("The Authorization token is not a JWT.")
    # Imported here: the identity provider lives in its own app and loads its keys lazily.
    from accounts import tokens

    try:
        return tokens.user_for_token(token)
    except tokens.TokenRejected as rejected:
        if rejected.retryable:
            raise ServiceUnavailable("Sign-in is unavailable for a moment; try again.") from None
        # The validator's reasons are safe to show, and a suspended account's owner is owed theirs.
        raise Unauthorized(rejected.message) from None
