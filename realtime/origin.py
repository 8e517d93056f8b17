"""Who may open the WebSocket: the Origin rule, which is the CSRF defence of cookie sign-in.

Browsers always send ``Origin`` on a WebSocket upgrade, and a page cannot forge it; other
clients (AWS's AppSync clients, scripts) send none. So:
- an ``Origin`` naming one of the site's hosts (ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS): allowed,
  and the page's session cookie may sign the connection in;
- no ``Origin``: allowed, but the cookie is taken off the request before anything reads it,
  so only tokens (``Authorization``) count: a cookie alone never authenticates a socket that
  no browser vouched for;
- any other ``Origin`` (another site, ``null``): refused at the handshake.
"""

from typing import Any
from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings


class OriginPolicy(OriginValidator):
    """Channels' OriginValidator over the site's hosts, letting Origin-less clients in without
    their cookies."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, allowed_origins=[])

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        # Read per connection: tests and deployments change the hosts after import.
        self.allowed_origins = allowed_origins()
        headers = scope.get("headers", [])
        if scope["type"] == "websocket" and not any(name == b"origin" for name, _ in headers):
            scope = {**scope, "headers": [(n, v) for n, v in headers if n != b"cookie"]}
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)


def allowed_origins() -> list[str]:
    """The site's hosts (any scheme and port, as Django's host check) and trusted origins."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    trusted = [origin for origin in settings.CSRF_TRUSTED_ORIGINS if urlparse(origin).scheme]
    return hosts + trusted
