"""Who may open the WebSocket, and when its session cookie counts: the CSRF defence of the socket.

Browsers always send ``Origin`` on a WebSocket upgrade, and a page cannot forge it; other
clients (AWS's AppSync clients, scripts) send none. So, as Django's CSRF check for HTTP:
- an ``Origin`` equal to the request's own origin (``http``/``https`` from the scope's
  ``ws``/``wss``, or a trusted ``X-Forwarded-Proto`` when SECURE_PROXY_SSL_HEADER is set, plus
  the ``Host`` header, which must be in ALLOWED_HOSTS), or listed in CSRF_TRUSTED_ORIGINS
  (exact ``scheme://host[:port]``, or a ``*.`` subdomain pattern, as Django): allowed, and the
  page's session cookie may sign the connection in;
- an ``Origin`` on one of the site's hosts but with another scheme or port (another app or a
  dev server on the same machine, a plain-http page of an https site): allowed, but the cookie
  is taken off the request, so only tokens count. Refusing would protect nothing more: what
  such a page gets is exactly what a script without any Origin gets (public channels, and
  whatever its own tokens allow), while the cookie, the only thing a foreign page could abuse,
  is never read. It also keeps token clients hosted beside the site working;
- no ``Origin``: allowed, cookie taken off the same way: a cookie alone never authenticates a
  socket that no browser vouched for;
- any other ``Origin`` (another site, ``null``): refused at the handshake.
"""

from typing import Any
from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain


class OriginPolicy(OriginValidator):
    """Channels' OriginValidator over the site's hosts; the cookie is kept only for the site's
    own origin and trusted origins."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, allowed_origins=[])

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        # Read per connection: tests and deployments change the hosts after import.
        self.allowed_origins = allowed_origins()
        if scope["type"] == "websocket":
            if cookie_allowed(scope):
                return await self.application(scope, receive, send)
            headers = scope.get("headers", [])
            scope = {**scope, "headers": [(n, v) for n, v in headers if n != b"cookie"]}
            if _header(scope, b"origin") is None:
                return await self.application(scope, receive, send)
        # The cookie is off; the page still has to come from one of the site's hosts.
        return await super().__call__(scope, receive, send)


def allowed_origins() -> list[str]:
    """Whose pages may open a socket at all: the site's hosts (any scheme and port, as Django's
    host check) and trusted origins."""
    trusted = [origin for origin in settings.CSRF_TRUSTED_ORIGINS if urlparse(origin).scheme]
    return _allowed_hosts() + trusted


def cookie_allowed(scope: dict[str, Any]) -> bool:
    """Whether the connection's ``Origin`` is the request's own origin or a trusted one."""
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    own = own_origin(scope)
    return (own is not None and origin == own) or is_trusted_origin(origin)


def own_origin(scope: dict[str, Any]) -> str | None:
    """``scheme://host[:port]`` of the request itself, None if its Host is not the site's."""
    host = _header(scope, b"host")
    if host is None:
        return None
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, _allowed_hosts()):
        return None
    return f"{_http_scheme(scope)}://{host}"


def is_trusted_origin(origin: str) -> bool:
    """CSRF_TRUSTED_ORIGINS as Django's CsrfViewMiddleware reads it: exact, or ``*.`` wildcard
    subdomains of the same scheme (and port, if one is given)."""
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    try:
        parsed = urlparse(origin)
        netloc = parsed.netloc
    except ValueError:
        return False
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        pattern = urlparse(trusted)
        if (
            "*" in pattern.netloc
            and pattern.scheme == parsed.scheme
            and is_same_domain(netloc, pattern.netloc.lstrip("*"))
        ):
            return True
    return False


def _http_scheme(scope: dict[str, Any]) -> str:
    """``http`` or ``https`` of the upgrade, trusting the proxy's header only when configured
    to (the same rule as ``HttpRequest.scheme``)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        # Django names it as in META (HTTP_X_FORWARDED_PROTO); ASGI as sent (x-forwarded-proto).
        name = header.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = _header(scope, name)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return "https" if scope.get("scheme") == "wss" else "http"


def _allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for header_name, value in scope.get("headers", []):
        if header_name == name:
            text: str = value.decode("latin-1")
            return text
    return None
