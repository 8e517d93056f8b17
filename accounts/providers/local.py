"""The embedded provider: Django password hashing, and Cognito-shaped RS256 JWTs signed here."""

import time
import uuid
from typing import Any, Literal

import jwt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from django.utils.crypto import salted_hmac

from accounts import keys, services
from accounts.models import User
from lib.errors import Unauthorized

TokenKind = Literal["id", "access"]
AuthenticationResult = dict[str, Any]

_REFRESH_SALT = "accounts.local.refresh-token"


def issue_token(*, user: User, kind: TokenKind, ttl: int | None = None) -> str:
    """A signed JWT for ``user`` with the claims Cognito would put in a token of this kind."""
    key = keys.signing_key()
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": services.ensure_subject(user=user),
        "iss": settings.LOCAL_JWT_ISSUER,
        "token_use": kind,
        "iat": now,
        "auth_time": now,
        "exp": now + (settings.JWT_TOKEN_TTL_SECONDS if ttl is None else ttl),
        "jti": str(uuid.uuid4()),
    }
    if kind == "id":
        claims.update(
            {
                "aud": settings.LOCAL_APP_CLIENT_ID,
                "email": user.email,
                # The local provider never proves ownership of the address.
                "email_verified": False,
                "cognito:username": user.cognito_sub,
                "name": user.name,
            }
        )
    else:
        claims.update(
            {
                "client_id": settings.LOCAL_APP_CLIENT_ID,
                "username": user.cognito_sub,
                "scope": "aws.cognito.signin.user.admin",
            }
        )
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def sign_in(*, email: str, password: str) -> AuthenticationResult:
    user = authenticate(username=email.strip(), password=password)
    if user is None:
        raise Unauthorized("Wrong email or password.")
    return _result(user, refresh_token=_refresh_token(user))


def refresh(*, refresh_token: str) -> AuthenticationResult:
    """New ID and access tokens for a refresh token that is unexpired and still current."""
    try:
        payload = signing.loads(
            refresh_token, salt=_REFRESH_SALT, max_age=settings.JWT_REFRESH_TOKEN_TTL_SECONDS
        )
        user = User.objects.get(cognito_sub=payload["sub"], is_active=True)
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist):
        raise Unauthorized("The refresh token is not valid.") from None
    if payload.get("fingerprint") != _fingerprint(user):
        raise Unauthorized("The refresh token was revoked by a password change.")
    return _result(user)


def _result(user: User, *, refresh_token: str | None = None) -> AuthenticationResult:
    result: AuthenticationResult = {
        "IdToken": issue_token(user=user, kind="id"),
        "AccessToken": issue_token(user=user, kind="access"),
        "ExpiresIn": settings.JWT_TOKEN_TTL_SECONDS,
        "TokenType": "Bearer",
    }
    if refresh_token:
        result["RefreshToken"] = refresh_token
    return result


def _refresh_token(user: User) -> str:
    payload = {"sub": services.ensure_subject(user=user), "fingerprint": _fingerprint(user)}
    return signing.dumps(payload, salt=_REFRESH_SALT)


def _fingerprint(user: User) -> str:
    """Changes with the password, so a reset or change revokes every refresh token."""
    return salted_hmac(_REFRESH_SALT, user.password, algorithm="sha256").hexdigest()[:32]
