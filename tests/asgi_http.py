"""Requests through the site's ASGI HTTP handler as Daphne hands them over: for tests of what the
handler does itself (its threads, static files, CSRF without the test client's exemption)."""

from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator


@dataclass(frozen=True)
class AsgiAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def asgi_request(application: Any, method: str, path: str, **options: Any) -> AsgiAnswer:
    """One request (``body``, ``headers``), waited for until the handler has closed its
    response (request_finished)."""
    return async_to_sync(asgi_exchange)(application, method, path, **options)


async def asgi_exchange(
    application: Any,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> AsgiAnswer:
    """``asgi_request`` for async callers (requests in parallel)."""
    raw_headers = [(b"host", b"testserver")] + [
        (name.lower().encode(), value.encode()) for name, value in (headers or {}).items()
    ]

    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": raw_headers,
    }

    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": body})
    start = await communicator.receive_output(timeout=10)
    content = b""
    while True:
        # The last message of a streamed answer (a static file) may carry no body at all.
        part = await communicator.receive_output(timeout=10)
        content += part.get("body", b"")
        if not part.get("more_body", False):
            break
    await communicator.wait(timeout=10)
    return AsgiAnswer(
        status=start["status"],
        headers={name.decode().lower(): value.decode() for name, value in start["headers"]},
        body=content,
    )
