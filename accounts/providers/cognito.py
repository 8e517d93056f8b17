"""Amazon Cognito (or an emulator at COGNITO_ENDPOINT_URL) through boto3's cognito-idp client.

Cognito's error codes become lib.errors exceptions with messages fit for a form; anything
unexpected, including an unreachable endpoint, is ProviderUnavailable, never a 500.
"""

import base64
import hashlib
import hmac
import logging
import time
from contextlib import suppress
from functools import lru_cache
from typing import Any, TypedDict

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from accounts import jwks, session_tokens
from accounts.errors import (
    ProviderUnavailable,
    TooManyAttempts,
    UnconfirmedUser,
    WrongCurrentPassword,
)
from accounts.models import User
from accounts.session_tokens import SessionToken
from lib.errors import InvalidInput, ServiceError, Unauthorized

logger = logging.getLogger(__name__)

AuthenticationResult = dict[str, Any]


class SecretHashParameter(TypedDict, total=False):
    """The operation parameter carrying SECRET_HASH (absent when the client has no secret)."""

    SecretHash: str


class SecretHashAuthParameter(TypedDict, total=False):
    """The same hash among an InitiateAuth call's AuthParameters."""

    SECRET_HASH: str


_WRONG_CREDENTIALS = "Wrong email or password."

confirms_by_code = True
creates_users_on_first_sight = True
publishes_jwks = False


def issuer() -> str:
    """The ``iss`` of the pool's tokens (the AWS URL even when an emulator serves the pool)."""
    region, pool = settings.COGNITO_AWS_REGION, settings.COGNITO_USER_POOL
    return f"https://cognito-idp.{region}.amazonaws.com/{pool}"


def jwks_url() -> str:
    base = issuer()
    if settings.COGNITO_ENDPOINT_URL:
        base = f"{settings.COGNITO_ENDPOINT_URL.rstrip('/')}/{settings.COGNITO_USER_POOL}"
    return f"{base}/.well-known/jwks.json"


def client_id() -> str:
    return settings.COGNITO_APP_CLIENT_ID


def signing_keys(refresh: bool) -> dict[str, jwks.Jwk]:
    return jwks.published_keys(jwks_url(), refresh=refresh)


def sign_up(*, email: str, password: str, name: str) -> User | None:
    """Register the account; Cognito sends the confirmation code to ``email``, and the row
    here is created when its first token is seen."""
    attributes = [{"Name": "email", "Value": email}]
    if name:
        attributes.append({"Name": "name", "Value": name})
    _call(
        "sign_up",
        Username=email,
        Password=password,
        UserAttributes=attributes,
        **_secret_hash(email),
    )
    return None


def confirm_sign_up(*, email: str, code: str) -> None:
    _call("confirm_sign_up", Username=email, ConfirmationCode=code, **_secret_hash(email))


def resend_code(*, email: str) -> None:
    _call("resend_confirmation_code", Username=email, **_secret_hash(email))


def sign_in(*, email: str, password: str) -> AuthenticationResult:
    answer = _password_auth(email=email, password=password)
    if "AuthenticationResult" not in answer:
        # MFA or a forced password change: flows this site does not offer.
        challenge = answer.get("ChallengeName", "a challenge")
        raise Unauthorized(f"This account needs {challenge}, which this site does not support.")
    return answer["AuthenticationResult"]


def _password_auth(*, email: str, password: str) -> dict[str, Any]:
    return _call(
        "initiate_auth",
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password, **_secret_param(email)},
    )


def refresh(*, refresh_token: str, username: str = "") -> AuthenticationResult:
    """New ID and access tokens; ``username`` is needed only when the app client has a secret."""
    parameters = {"REFRESH_TOKEN": refresh_token, **_secret_param(username)}
    answer = _call("initiate_auth", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=parameters)
    return answer["AuthenticationResult"]


def keep_tokens(session: SessionBase, result: AuthenticationResult) -> None:
    """The page's WebSocket uses the sign-in's own tokens, refreshed through the pool."""
    session_tokens.remember(session, result)


def session_token(*, user: User, session: SessionBase) -> SessionToken:
    kept = _fresh_tokens(user=user, session=session)
    return SessionToken(
        token=kept[session_tokens.token_kind()], expires_in=int(kept["expires_at"] - time.time())
    )


def sign_out(*, session: SessionBase) -> None:
    """Revoke the user's refresh tokens everywhere (GlobalSignOut)."""
    access_token = session_tokens.forget(session)
    if access_token:
        # The local session ends regardless; the pool's tokens expire on their own.
        with suppress(ServiceError):
            _call("global_sign_out", client_id=False, AccessToken=access_token)


def start_password_reset(*, email: str) -> None:
    try:
        _call("forgot_password", Username=email, **_secret_hash(email))
    except Unauthorized:
        # Unknown address: answer as for a known one, so the form cannot probe for accounts.
        logger.info("Password reset asked for an unknown account")


def reset_password(*, email: str, code: str, password: str) -> None:
    _call(
        "confirm_forgot_password",
        Username=email,
        ConfirmationCode=code,
        Password=password,
        **_secret_hash(email),
    )


def email_of(*, access_token: str) -> tuple[str, bool]:
    """The email address and its verified flag, read from the pool with the user's token."""
    answer = _call("get_user", client_id=False, AccessToken=access_token)
    attributes = {item["Name"]: item["Value"] for item in answer["UserAttributes"]}
    return attributes.get("email", ""), attributes.get("email_verified") == "true"


def change_password(
    *, user: User, session: SessionBase, current_password: str, new_password: str
) -> AuthenticationResult | None:
    """ChangePassword with the session's access token, then GlobalSignOut (every refresh
    token of the user, this browser's too), then a fresh sign-in for this browser."""
    access_token = _fresh_tokens(user=user, session=session)["access"]
    try:
        _call(
            "change_password",
            client_id=False,
            AccessToken=access_token,
            PreviousPassword=current_password,
            ProposedPassword=new_password,
        )
    except Unauthorized:
        raise WrongCurrentPassword() from None
    try:
        _call("global_sign_out", client_id=False, AccessToken=access_token)
        return sign_in(email=user.email, password=new_password)
    except ServiceError:
        # The password is changed: that must not read as a failure. This browser keeps its
        # Django session; its page asks for tokens again and is told to sign in.
        logger.warning("Signing out elsewhere or back in after a password change failed")
        session_tokens.forget(session)
        return None


def check_password(*, user: User, password: str) -> None:
    """A sign-in (InitiateAuth) with the password, as Cognito has no call that only checks
    one: any answer but NotAuthorized means it is right, a challenge (MFA) included, since it
    comes after the password. The tokens it issues are dropped unused."""
    try:
        _password_auth(email=user.email, password=password)
    except Unauthorized:
        raise WrongCurrentPassword() from None


def change_email(*, user: User, new_email: str) -> None:
    """AdminUpdateUserAttributes (the site's IAM role needs
    cognito-idp:AdminUpdateUserAttributes) with ``email_verified`` true, since the site's own
    link proved the address: Cognito sends no code, and only the new address signs in."""
    try:
        _call(
            "admin_update_user_attributes",
            client_id=False,
            UserPoolId=settings.COGNITO_USER_POOL,
            Username=_pool_username(user),
            UserAttributes=[
                {"Name": "email", "Value": new_email},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
    except Unauthorized:
        raise Unauthorized("The identity provider no longer holds this account.") from None


def delete_identity(*, user: User) -> None:
    """AdminDeleteUser (the site's IAM role needs cognito-idp:AdminDeleteUser): it works
    whatever the state of the browser's tokens. A user already gone from the pool is fine."""
    try:
        _call(
            "admin_delete_user",
            client_id=False,
            UserPoolId=settings.COGNITO_USER_POOL,
            Username=_pool_username(user),
        )
    except Unauthorized:
        logger.info("Deleting an account the pool no longer holds")


def _pool_username(user: User) -> str:
    """How the admin operations name ``user``: in a pool where the email is the sign-in name,
    the username is the sub."""
    return user.cognito_sub or user.email


def _fresh_tokens(*, user: User, session: SessionBase) -> dict[str, Any]:
    """The session's kept tokens, refreshed through the pool when about to expire."""
    kept = session_tokens.kept(session)
    if kept is None:
        raise Unauthorized("This session holds no Cognito tokens; sign in again.")
    if kept["expires_at"] - time.time() < session_tokens.REFRESH_MARGIN_SECONDS:
        session_tokens.remember(
            session, refresh(refresh_token=kept["refresh"], username=user.email)
        )
        kept = session_tokens.kept(session) or kept
    return kept


def client() -> Any:
    return _client(
        settings.COGNITO_AWS_REGION, settings.COGNITO_ENDPOINT_URL, settings.COGNITO_MAX_ATTEMPTS
    )


@lru_cache(maxsize=4)
def _client(region: str, endpoint_url: str, max_attempts: int) -> Any:
    # boto3 clients are thread-safe and costly to build: one per configuration. Timeouts are
    # short because a person is waiting on the other side of every call.
    config = Config(
        connect_timeout=3,
        read_timeout=5,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
    )
    return boto3.client(
        "cognito-idp", region_name=region, endpoint_url=endpoint_url or None, config=config
    )


def _secret_hash(username: str) -> SecretHashParameter:
    """SECRET_HASH, required by Cognito when the app client has a secret."""
    secret = settings.COGNITO_APP_CLIENT_SECRET
    if not secret:
        return {}
    message = (username + settings.COGNITO_APP_CLIENT_ID).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return {"SecretHash": base64.b64encode(digest).decode()}


def _secret_param(username: str) -> SecretHashAuthParameter:
    secret_hash = _secret_hash(username)
    return {"SECRET_HASH": secret_hash["SecretHash"]} if "SecretHash" in secret_hash else {}


def _call(operation: str, *, client_id: bool = True, **parameters: Any) -> dict[str, Any]:
    if client_id:
        parameters["ClientId"] = settings.COGNITO_APP_CLIENT_ID
    try:
        return getattr(client(), operation)(**parameters)
    except ClientError as error:
        raise _service_error(error.response.get("Error", {})) from None
    except BotoCoreError as error:
        logger.warning("Cognito %s failed: %s", operation, error)
        raise ProviderUnavailable() from None


def _service_error(error: dict[str, str]) -> ServiceError:
    code, message = error.get("Code", ""), error.get("Message", "")
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        # Same answer for both, so sign-in cannot be used to probe for accounts.
        return Unauthorized(_WRONG_CREDENTIALS)
    if code == "UserNotConfirmedException":
        return UnconfirmedUser()
    if code == "InvalidPasswordException":
        return InvalidInput(
            {"password": ["The password does not meet the policy: " + message.rstrip(".") + "."]}
        )
    if code in ("UsernameExistsException", "AliasExistsException"):
        return InvalidInput({"email": ["An account with this email already exists."]})
    if code in ("CodeMismatchException", "ExpiredCodeException"):
        return InvalidInput({"code": ["The code is wrong or has expired; ask for a new one."]})
    if code in (
        "LimitExceededException",
        "TooManyRequestsException",
        "TooManyFailedAttemptsException",
    ):
        return TooManyAttempts()
    if code == "InvalidParameterException":
        return InvalidInput({"__all__": ["The request was not accepted: " + message]})
    logger.error("Unexpected Cognito error %s: %s", code, message)
    return ProviderUnavailable()
