"""Who is on the other end of a request, as far as rate limits are concerned."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The caller's address: the peer, or AUTH_PROXY_COUNT entries back in X-Forwarded-For
    (never a value the client wrote itself when proxies append to the header)."""
    return address_of(
        peer=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
    )


def address_of(*, peer: str, forwarded_for: str) -> str:
    """``client_ip`` from the peer's address and the X-Forwarded-For header's value."""
    proxies = settings.AUTH_PROXY_COUNT
    forwarded = [part.strip() for part in forwarded_for.split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return peer
