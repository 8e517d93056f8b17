"""The embedded provider: Django password hashing, and Cognito-shaped RS256 JWTs signed here.

Accounts are confirmed, and forgotten passwords reset, by emailed links
(accounts.email_confirmation, and Django's views in accounts.pages), so the code-based
operations of the interface are NotFound here.
"""

import time
import uuid
from typing import Any

import jwt
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.utils.crypto import salted_hmac

from accounts import email_confirmation, keys, password_hashing, services
from accounts.errors import WrongCurrentPassword
from accounts.jwks import Jwk
from accounts.models import User
from accounts.session_tokens import SessionToken, TokenKind, token_kind
from lib.errors import NotFound, Unauthorized

AuthenticationResult = dict[str, Any]

confirms_by_code = False
creates_users_on_first_sight = False
publishes_jwks = True

_NO_CODES = "Accounts here need no codes."

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


def issuer() -> str:
    return settings.LOCAL_JWT_ISSUER


def client_id() -> str:
    return settings.LOCAL_APP_CLIENT_ID


def signing_keys(refresh: bool) -> dict[str, Jwk]:
    return {jwk["kid"]: jwk for jwk in keys.public_jwks()["keys"]}


def sign_up(*, email: str, password: str, name: str) -> User | None:
    """The new account, signed in at once but unable to write until it follows the link
    mailed to it (accounts.email_confirmation)."""
    user = services.create_user(email=email, password=password, name=name, email_confirmed=False)
    email_confirmation.send_confirmation(user=user)
    return user


def confirm_sign_up(*, email: str, code: str) -> None:
    raise NotFound(_NO_CODES)


def resend_code(*, email: str) -> None:
    raise NotFound(_NO_CODES)


def start_password_reset(*, email: str) -> None:
    raise NotFound(_NO_CODES)


def reset_password(*, email: str, code: str, password: str) -> None:
    raise NotFound(_NO_CODES)


def sign_in(*, email: str, password: str) -> AuthenticationResult:
    """Tokens for the right password of an active account; the hash is checked under
    password_hashing's bound with the database connection given back meanwhile."""
    user = User.objects.with_email(email).first()
    verdict = password_hashing.check(password, user.password if user is not None else None)
    if user is None or not verdict.is_valid or not user.is_active:
        raise Unauthorized("Wrong email or password.")
    if verdict.needs_rehash:
        services.set_password(user=user, password=password)
    return _result(user, refresh_token=_refresh_token(user))


def refresh(*, refresh_token: str, username: str = "") -> AuthenticationResult:
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


def keep_tokens(session: SessionBase, result: AuthenticationResult) -> None:
    """Nothing to keep: page tokens are minted on demand."""


def session_token(*, user: User, session: SessionBase) -> SessionToken:
    ttl = settings.JWT_SESSION_TOKEN_TTL_SECONDS
    return SessionToken(token=issue_token(user=user, kind=token_kind(), ttl=ttl), expires_in=ttl)


def sign_out(*, session: SessionBase) -> None:
    """Nothing to revoke: issued tokens expire on their own."""


def email_of(*, access_token: str) -> tuple[str, bool]:
    raise NotFound("No account belongs to this token.")


def change_password(
    *, user: User, session: SessionBase, current_password: str, new_password: str
) -> AuthenticationResult | None:
    """The new hash revokes the refresh tokens (their fingerprint) and Django's other
    sessions (their auth hash); page tokens are minted on demand, so nothing is kept."""
    check_password(user=user, password=current_password)
    services.set_password(user=user, password=new_password)
    return None


def check_password(*, user: User, password: str) -> None:
    if not password_hashing.check(password, user.password).is_valid:
        raise WrongCurrentPassword()


def change_email(*, user: User, new_email: str) -> None:
    """Nothing held elsewhere: the row is the identity."""


def delete_identity(*, user: User) -> None:
    """Nothing held elsewhere: the row is the identity."""


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
