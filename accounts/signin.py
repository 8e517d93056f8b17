"""Sign-in and refresh for every transport: throttled, through the configured provider, and
ending with the one validator, so a page session and an API token name the same user."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accounts import throttle, tokens
from accounts.errors import ProviderUnavailable
from accounts.models import User
from accounts.providers import cognito, local
from lib.errors import Unauthorized

AuthenticationResult = dict[str, Any]


@dataclass(frozen=True)
class SignIn:
    user: User
    result: AuthenticationResult


def sign_in(*, email: str, password: str, ip: str) -> SignIn:
    """Tokens for valid credentials; Unauthorized, UnconfirmedUser or TooManyAttempts otherwise."""
    account = email.strip().lower()
    throttle.check(account=account, ip=ip)
    provider = cognito if settings.AUTH_PROVIDER == "cognito" else local
    try:
        result = provider.sign_in(email=account, password=password)
    except Unauthorized:
        throttle.record_failure(account=account, ip=ip)
        raise
    throttle.clear_account(account=account)
    return SignIn(user=_user(result["IdToken"]), result=result)


def refresh(*, refresh_token: str, ip: str, username: str = "") -> AuthenticationResult:
    """New ID and access tokens (no new refresh token), as Cognito's REFRESH_TOKEN_AUTH."""
    # Refresh tokens are long random strings: only the per-address budget applies.
    throttle.check(ip=ip)
    try:
        if settings.AUTH_PROVIDER == "cognito":
            result = cognito.refresh(refresh_token=refresh_token, username=username)
        else:
            result = local.refresh(refresh_token=refresh_token)
    except Unauthorized:
        throttle.record_failure(ip=ip)
        raise
    _user(result["IdToken"])
    return result


def _user(id_token: str) -> User:
    """The provider's fresh ID token through the one validator (whatever kinds the API accepts)."""
    try:
        return tokens.user_for_token(id_token, accepted_token_use=["id"])
    except tokens.TokenRejected as error:
        if error.retryable:
            raise ProviderUnavailable(error.message) from None
        raise Unauthorized(error.message) from None
