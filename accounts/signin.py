"""Sign-in, refresh, sign-up and password-reset requests for every transport: within their
attempt budgets (accounts.sign_in_attempts), through the configured provider, and for tokens
ending with the one validator, so a page session and an API token name the same user."""

from dataclasses import dataclass

from accounts import sign_in_attempts, tokens
from accounts.errors import ProviderUnavailable
from accounts.models import User
from accounts.providers import AuthenticationResult, current
from lib.errors import InvalidInput, Unauthorized


@dataclass(frozen=True)
class SignIn:
    user: User
    result: AuthenticationResult


def sign_in(*, email: str, password: str, ip: str) -> SignIn:
    """Tokens for valid credentials; Unauthorized, UnconfirmedUser or TooManyAttempts otherwise."""
    account = email.strip().lower()
    # Counted as a failure before the password is checked, refunded below on success.
    attempt = sign_in_attempts.reserve_sign_in(account=account, ip=ip)
    with attempt.kept_on(Unauthorized):
        result = current().sign_in(email=account, password=password)
    attempt.clear_account()
    return SignIn(user=_user(result["IdToken"]), result=result)


def refresh(*, refresh_token: str, ip: str, username: str = "") -> AuthenticationResult:
    """New ID and access tokens (no new refresh token), as Cognito's REFRESH_TOKEN_AUTH."""
    # Refresh tokens are long random strings: only the per-address budget applies.
    attempt = sign_in_attempts.reserve_sign_in(ip=ip)
    with attempt.kept_on(Unauthorized):
        result = current().refresh(refresh_token=refresh_token, username=username)
    attempt.refund()
    _user(result["IdToken"])
    return result


def sign_up(*, email: str, password: str, name: str, ip: str) -> User | None:
    """Register an account (see IdentityProvider.sign_up) within the address's budget; a
    refused attempt ("already exists", a weak password) stays counted."""
    attempt = sign_in_attempts.reserve_sign_up(ip=ip)
    with attempt.kept_on(InvalidInput):
        user = current().sign_up(email=email, password=password, name=name)
    attempt.refund()
    return user


def start_password_reset(*, email: str, ip: str) -> None:
    """Have the provider email a reset code, within the address's budget of such requests."""
    sign_in_attempts.reserve_password_reset(ip=ip)
    current().start_password_reset(email=email)


def _user(id_token: str) -> User:
    """The provider's fresh ID token through the one validator (whatever kinds the API accepts)."""
    try:
        return tokens.user_for_token(id_token, accepted_token_use=["id"])
    except tokens.TokenRejected as error:
        if error.retryable:
            raise ProviderUnavailable(error.message) from None
        raise Unauthorized(error.message) from None
