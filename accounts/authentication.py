"""Who a request is: DRF authentication by ``Authorization: Bearer <jwt>`` (through
accounts.tokens' one validator), and the signed-in user of an edge that admits no one else."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_cognito_jwt import JSONWebTokenAuthentication
from rest_framework import exceptions
from rest_framework.request import Request

from accounts.models import User
from accounts.tokens import TokenRejected, user_for_token


class IdentityUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The identity provider's signing keys are unavailable; try again shortly."
    default_code = "identity_unavailable"


class BearerTokenAuthentication(JSONWebTokenAuthentication):
    """django-cognito-jwt's DRF class, delegating to ``user_for_token``.

    The base class builds a fresh TokenValidator per request (a JWKS fetch each time unless its
    cache is on), cannot validate access tokens against an app client, turns every failure
    into the same bare 401, and needs a ``get_or_create_for_cognito`` manager method; here the
    header parsing is kept and everything after it is the shared validator.
    """

    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[User, str] | None:
        raw = self.get_jwt_token(request)
        if raw is None:
            return None
        try:
            token = raw.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is malformed.") from None
        try:
            return user_for_token(token), token
        except TokenRejected as error:
            if error.retryable:
                raise IdentityUnavailable(error.message) from None
            raise exceptions.AuthenticationFailed(error.message) from None

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'


def signed_in_user(request: HttpRequest | Request) -> User:
    """The user of a request that ``login_required`` or DRF's ``IsAuthenticated`` let through:
    the one place where such edges narrow ``User | AnonymousUser``."""
    user = request.user
    if not isinstance(user, User):
        # Unreachable behind those guards; refused rather than trusted if a guard goes missing.
        raise PermissionDenied("Sign in first.")
    return user
