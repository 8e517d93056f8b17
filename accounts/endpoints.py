"""JSON endpoints for API clients: tokens for credentials, refresh, a page's WebSocket token, JWKS.

Answers mirror Cognito: success is InitiateAuth's ``{"AuthenticationResult": {...}}``, failure
is ``{"__type": "<Cognito error code>", "message": "..."}``.
"""

from collections.abc import Mapping
from typing import IO, Any

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import keys, signin
from accounts.authentication import signed_in_user
from accounts.errors import UnconfirmedUser
from accounts.providers import current
from lib.client_address import client_ip
from lib.errors import InvalidInput, ServiceUnavailable, TooManyRequests, Unauthorized


class TokenInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenRefreshInput(serializers.Serializer):
    refreshToken = serializers.CharField(max_length=8192)  # Cognito's casing
    username = serializers.CharField(max_length=254, required=False, default="")


def _error(status: int, kind: str, message: str, **extra: Any) -> Response:
    return Response({"__type": kind, "message": message, **extra}, status=status)


class JsonBodyParser(JSONParser):
    """DRF's JSON parser, with over-deep nesting a parse error (400) rather than the
    RecursionError (500) the json module raises for it."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None


class JsonEndpoint(APIView):
    """JSON in, JSON out, errors in Cognito's shape; credentials travel in the body, not cookies."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JsonBodyParser]
    # Cognito's own shapes, documented in the README; the OpenAPI document covers procedures.
    schema = None

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, InvalidInput):
            return _error(
                400, "InvalidParameterException", exc.message, fieldErrors=exc.field_errors
            )
        if isinstance(exc, UnconfirmedUser):
            return _error(401, "UserNotConfirmedException", exc.message)
        if isinstance(exc, Unauthorized):
            response = _error(401, "NotAuthorizedException", exc.message)
            response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        if isinstance(exc, (TooManyRequests, ServiceUnavailable)):
            if isinstance(exc, TooManyRequests):
                response = _error(429, "TooManyRequestsException", exc.message)
            else:
                response = _error(503, "ServiceUnavailable", exc.message)
            if exc.retry_after is not None:
                response["Retry-After"] = str(exc.retry_after)
            return response
        if isinstance(exc, exceptions.APIException):
            detail = exc.detail if isinstance(exc.detail, str) else "The request is not valid."
            fields = exc.detail if isinstance(exc.detail, dict) else {}
            return _error(
                exc.status_code, "InvalidParameterException", str(detail), fieldErrors=fields
            )
        return super().handle_exception(exc)

    def parsed(self, request: Request, serializer: type[serializers.Serializer]) -> dict:
        data = serializer(data=request.data)
        if not data.is_valid():
            raise InvalidInput(
                {
                    name: [str(message) for message in messages]
                    for name, messages in data.errors.items()
                }
            )
        return data.validated_data


class TokenView(JsonEndpoint):
    """``POST /auth/token`` {email, password} → Cognito's InitiateAuth answer."""

    def post(self, request: Request) -> Response:
        data = self.parsed(request, TokenInput)
        signed_in = signin.sign_in(
            email=data["email"], password=data["password"], ip=client_ip(request)
        )
        return _no_store(Response({"AuthenticationResult": signed_in.result}))


class TokenRefreshView(JsonEndpoint):
    """``POST /auth/token/refresh`` {refreshToken} → new ID and access tokens."""

    def post(self, request: Request) -> Response:
        data = self.parsed(request, TokenRefreshInput)
        result = signin.refresh(
            refresh_token=data["refreshToken"],
            username=data["username"],
            ip=client_ip(request),
        )
        return _no_store(Response({"AuthenticationResult": result}))


class SessionTokenView(JsonEndpoint):
    """``GET /auth/session-token``: a short-lived token for a signed-in page's WebSocket.

    Only the session cookie authenticates it, it changes nothing, and a cross-site page
    cannot read the answer (no CORS); Sec-Fetch-Site refuses cross-site fetches outright.
    """

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        if request.META.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none"):
            return _error(403, "NotAuthorizedException", "Ask for a token from this site's pages.")
        issued = current().session_token(user=signed_in_user(request), session=request.session)
        payload = {"token": issued.token, "expiresIn": issued.expires_in, "tokenType": "Bearer"}
        return _no_store(Response(payload))

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            return _error(401, "NotAuthorizedException", "Sign in first.")
        return super().handle_exception(exc)


class MeView(APIView):
    """``GET /auth/me``: who the request's credentials (Bearer token or session) belong to."""

    permission_classes = [IsAuthenticated]
    schema = None

    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        return Response(
            {"id": str(user.id), "email": user.email, "name": user.name, "sub": user.cognito_sub}
        )


@require_safe
@cache_control(public=True, max_age=3600)
def jwks_document(request: HttpRequest) -> JsonResponse:
    """The local provider's public keys (Cognito pools publish their own)."""
    if not current().publishes_jwks:
        raise Http404("This site's tokens come from Cognito, which publishes their keys.")
    return JsonResponse(keys.public_jwks())


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response
