"""Who is on the other end of a request, as far as rate limits are concerned."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The caller's address: the peer, or AUTH_PROXY_COUNT entries back in X-Forwarded-For
    (never a value the client wrote itself when proxies append to the header)."""
    proxies = settings.AUTH_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
