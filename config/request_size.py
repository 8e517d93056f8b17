"""The site's first door for request bodies: an HTTP request whose Content-Length is over
REQUEST_MAX_BODY_BYTES is answered 413 at once, before Django reads (and spools) its body, and
before any thread, database connection or parser is spent on it.

A body sent without a length (chunked) is left to the limits further in: Django's
DATA_UPLOAD_MAX_MEMORY_SIZE for JSON and form fields, API_MAX_UPLOAD_BYTES for FormData. In
production the proxy refuses oversized bodies first (deploy/nginx: ``client_max_body_size``),
before they reach a Daphne process at all, which otherwise receives a whole body before it
hands the request over.
"""

from typing import Any

from django.conf import settings

from api import trpc

TRPC_PREFIX = "/api/trpc/"


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _refusal(path: str, limit: int) -> tuple[bytes, bytes]:
    """The body and content type of the 413: a tRPC error to API callers, text to browsers."""
    message = f"The request is over {limit / 2**20:.1f} MB; images may be at most "
    message += f"{settings.IMAGES_MAX_UPLOAD_BYTES / 2**20:.1f} MB."
    if path.startswith(TRPC_PREFIX):
        error = trpc.TrpcError("PAYLOAD_TOO_LARGE", message, path.removeprefix(TRPC_PREFIX))
        return trpc.dumps(trpc.envelope(error, uses_superjson=False)), b"application/json"
    return message.encode(), b"text/plain; charset=utf-8"


class BodySizeLimit:
    """ASGI middleware: the 413 for bodies declared too large; everything else passes."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            length = _content_length(scope.get("headers", []))
            limit = settings.REQUEST_MAX_BODY_BYTES
            if length is not None and length > limit:
                body, content_type = _refusal(scope.get("path", ""), limit)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 413,
                        "headers": [
                            (b"content-type", content_type),
                            (b"content-length", str(len(body)).encode()),
                            # The body is not read: the connection cannot carry another request.
                            (b"connection", b"close"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.application(scope, receive, send)
