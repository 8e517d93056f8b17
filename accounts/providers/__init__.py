"""Identity providers behind one interface: ``local`` (this site) and ``cognito`` (an Amazon
Cognito user pool), chosen from settings.AUTH_PROVIDER in ``current()`` and nowhere else.

Both answer sign-in and refresh with the shape of Cognito's InitiateAuth AuthenticationResult,
and both issue RS256 JWTs that accounts.tokens validates through the same code. Pages,
endpoints and services call the interface; what differs between providers is said by its
attributes (``confirms_by_code``…), never by asking which provider is configured.
"""

from typing import Any, Protocol

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from accounts.jwks import Jwk
from accounts.models import User
from accounts.providers import cognito, local
from accounts.session_tokens import SessionToken

AuthenticationResult = dict[str, Any]


class IdentityProvider(Protocol):
    """What the site asks of whoever holds the passwords and signs the tokens."""

    # Sign-up is confirmed, and a forgotten password reset, with a code emailed by the
    # provider (else both are links this site mails: accounts.email_confirmation, resets).
    confirms_by_code: bool
    # A valid token whose ``sub`` has no account yet creates one (the person signed up at
    # the provider, not here); else every legitimate token's ``sub`` already has a row.
    creates_users_on_first_sight: bool
    # This site publishes the provider's public keys at /.well-known/jwks.json.
    publishes_jwks: bool

    def issuer(self) -> str:
        """The ``iss`` of the provider's tokens."""
        ...

    def client_id(self) -> str:
        """The app client tokens must be issued for (``aud`` / ``client_id``)."""
        ...

    def signing_keys(self, refresh: bool) -> dict[str, Jwk]:
        """The provider's public keys by kid; ``refresh`` asks for a (rate-limited) refetch."""
        ...

    def sign_up(self, *, email: str, password: str, name: str) -> User | None:
        """Register an account: the new user when it may sign in at once, None when the
        address must first be confirmed with a code."""
        ...

    def confirm_sign_up(self, *, email: str, code: str) -> None: ...

    def resend_code(self, *, email: str) -> None: ...

    def sign_in(self, *, email: str, password: str) -> AuthenticationResult:
        """Tokens for valid credentials; Unauthorized or UnconfirmedUser otherwise."""
        ...

    def refresh(self, *, refresh_token: str, username: str = "") -> AuthenticationResult:
        """New ID and access tokens (no new refresh token)."""
        ...

    def keep_tokens(self, session: SessionBase, result: AuthenticationResult) -> None:
        """Keep what a browser sign-in needs later (its WebSocket tokens) in its session."""
        ...

    def session_token(self, *, user: User, session: SessionBase) -> SessionToken:
        """A short-lived token for the signed-in page of ``session``."""
        ...

    def sign_out(self, *, session: SessionBase) -> None:
        """End what the provider holds for this browser session (never fails the sign-out)."""
        ...

    def start_password_reset(self, *, email: str) -> None:
        """Email a reset code (the same answer whether or not the address has an account)."""
        ...

    def reset_password(self, *, email: str, code: str, password: str) -> None: ...

    def email_of(self, *, access_token: str) -> tuple[str, bool]:
        """The email address and its verified flag of the token's user, asked of the provider."""
        ...

    def change_password(
        self, *, user: User, session: SessionBase, current_password: str, new_password: str
    ) -> AuthenticationResult | None:
        """Check ``current_password`` and set ``new_password`` (already validated here),
        revoking the user's refresh tokens; the new tokens of this browser session, if the
        provider holds its tokens, else None. InvalidInput ``currentPassword`` when wrong."""
        ...

    def check_password(self, *, user: User, password: str) -> None:
        """Whether ``password`` is ``user``'s, for a step that asks for it again (changing the
        email address): WrongCurrentPassword when it is not."""
        ...

    def change_email(self, *, user: User, new_email: str) -> None:
        """Give the provider's identity ``new_email``, already proven to reach its owner (the
        site's own emailed link) and so marked verified; called before the row here changes."""
        ...

    def delete_identity(self, *, user: User) -> None:
        """Remove the user's identity from the provider, before the row here goes."""
        ...


def current() -> IdentityProvider:
    """The configured provider (settings.AUTH_PROVIDER, checked at start-up)."""
    providers: dict[str, IdentityProvider] = {"local": local, "cognito": cognito}
    return providers[settings.AUTH_PROVIDER]
