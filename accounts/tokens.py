"""The one Bearer-token validator: every API and WebSocket request's JWT ends up here.

It is django-cognito-jwt's TokenValidator, completed (see CognitoTokenValidator), pointed at
the configured provider: the Cognito pool (or its emulator), or this site's own local issuer.
"""

import json
from collections.abc import Callable
from typing import Any

import jwt
from django.conf import settings
from django_cognito_jwt.validator import TokenError, TokenValidator
from jwt.algorithms import RSAAlgorithm

from accounts import jwks, services
from accounts.models import User
from accounts.providers import current
from lib.errors import Conflict, NotFound, ServiceUnavailable, Unauthorized

Claims = dict[str, Any]
KeySource = Callable[[bool], dict[str, jwks.Jwk]]

ACCESS = "access"  # token_use of access tokens (ID tokens say "id")
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "token_use"]


class TokenRejected(Exception):
    """A Bearer token was refused; ``message`` is safe to show. ``retryable``: the provider
    could not be asked (its keys or its pool were unreachable), so the token may yet be good."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        self.message = message
        self.retryable = retryable
        super().__init__(message)


class CognitoTokenValidator(TokenValidator):
    """django-cognito-jwt 0.0.4's validator with its gaps closed.

    The base class fetches the JWKS once per instance (per request) unless its cache setting
    is on, and then refetches on every unknown kid; it raises KeyError (a 500) for a token
    without ``kid``; it checks ``aud`` only, so access tokens (which carry ``client_id``) pass
    only with the audience unset, which then accepts every app client of the pool; and its
    issuer is always the AWS URL. Here keys come from a cached, rate-limited source, headers
    are checked before any lookup, the audience is checked per token kind, and the issuer is
    given, so the local provider's tokens go through exactly this code too.
    """

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        key_source: KeySource,
        accepted_token_use: list[str],
        leeway: int,
    ) -> None:
        super().__init__(aws_region="", aws_user_pool="", audience=client_id)
        # pool_url is a cached_property of the base class: seed it with our issuer.
        self.__dict__["pool_url"] = issuer
        self.key_source = key_source
        self.accepted_token_use = accepted_token_use
        self.leeway = leeway

    @property
    def _json_web_keys(self) -> dict[str, str]:
        return {kid: json.dumps(jwk) for kid, jwk in self.key_source(False).items()}

    def _get_public_key(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise TokenError("The token is malformed.") from None
        if header.get("alg") != "RS256":
            raise TokenError("Only RS256-signed tokens are accepted.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("The token names no signing key.")
        jwk = self.key_source(False).get(kid) or self.key_source(True).get(kid)
        if jwk is None:
            raise TokenError("The token's signing key is unknown.")
        return RSAAlgorithm.from_jwk(json.dumps(jwk))

    def validate(self, token: str) -> Claims:
        public_key = self._get_public_key(token)
        try:
            claims = jwt.decode(
                token,
                public_key,
                algorithms=["RS256"],
                issuer=self.pool_url,
                leeway=self.leeway,
                options={"require": _REQUIRED_CLAIMS, "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("The token has expired.") from None
        except jwt.InvalidIssuerError:
            raise TokenError("The token was not issued by this site's identity provider.") from None
        except jwt.InvalidSignatureError:
            raise TokenError("The token's signature is not valid.") from None
        except jwt.InvalidTokenError as error:
            raise TokenError(f"The token is not valid: {error}") from None
        self._check_audience(claims)
        return claims

    def _check_audience(self, claims: Claims) -> None:
        """ID tokens name the app client in ``aud``; access tokens in ``client_id``."""
        token_use: str = claims["token_use"]
        if token_use not in ("id", "access"):
            raise TokenError("The token is neither an ID token nor an access token.")
        if token_use not in self.accepted_token_use:
            raise TokenError(f"{token_use.capitalize()} tokens are not accepted here.")
        audience = claims.get("client_id") if token_use == ACCESS else claims.get("aud")
        if audience != self.audience:
            raise TokenError("The token was issued for another application.")


def validator(*, accepted_token_use: list[str] | None = None) -> CognitoTokenValidator:
    """The validator for the configured provider (token kinds from JWT_ACCEPTED_TOKEN_USE)."""
    provider = current()
    return CognitoTokenValidator(
        issuer=provider.issuer(),
        client_id=provider.client_id(),
        key_source=provider.signing_keys,
        accepted_token_use=accepted_token_use or settings.JWT_ACCEPTED_TOKEN_USE,
        leeway=settings.JWT_LEEWAY_SECONDS,
    )


def claims_for_token(token: str, *, accepted_token_use: list[str] | None = None) -> Claims:
    """The verified claims of ``token``; TokenRejected (401, or 503 without keys) otherwise."""
    try:
        return validator(accepted_token_use=accepted_token_use).validate(token)
    except TokenError as error:
        raise TokenRejected(str(error)) from None
    except jwks.JwksUnavailable:
        raise TokenRejected(
            "The identity provider's signing keys are unavailable; try again shortly.",
            retryable=True,
        ) from None


def user_for_token(token: str, *, accepted_token_use: list[str] | None = None) -> User:
    """The user a valid JWT speaks for (created on first sight where the provider creates
    users; see accounts.services); TokenRejected otherwise."""
    claims = claims_for_token(token, accepted_token_use=accepted_token_use)
    provider = current()
    email = claims.get("email")
    email_verified = claims.get("email_verified") in (True, "true")
    may_create = provider.creates_users_on_first_sight
    try:
        try:
            user = services.user_for_identity(
                sub=claims["sub"], email=email, email_verified=email_verified, may_create=may_create
            )
        except NotFound:
            if email or claims["token_use"] != ACCESS or not may_create:
                raise
            # An access token carries no email: ask the provider once, on first sight.
            email, email_verified = provider.email_of(access_token=token)
            user = services.user_for_identity(
                sub=claims["sub"], email=email, email_verified=email_verified, may_create=True
            )
    except (NotFound, Conflict, Unauthorized) as error:
        raise TokenRejected(error.message) from None
    except ServiceUnavailable as error:
        raise TokenRejected(error.message, retryable=True) from None
    if user.is_token_revoked(int(claims["iat"])):
        raise TokenRejected("The token was revoked by a password change; sign in again.")
    return user
