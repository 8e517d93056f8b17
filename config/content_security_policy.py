"""The Content-Security-Policy header on every response: scripts and styles only from the site's
own files, no inline code, no framing.

A plain hybrid middleware (lib.response_middleware) rather than django-csp: it needs no nonces
or per-view decorators (the pages carry no inline script or style), and django-csp's
MiddlewareMixin would add a thread hop to every request under ASGI.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase

from lib.response_middleware import response_middleware

HEADER = "Content-Security-Policy"

SITE_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # Avatars may be any https: URL.
    "img-src": ["'self'", "data:", "https:"],
    "connect-src": ["'self'"],  # plus this host's WebSocket scheme, per request
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# drf-spectacular's Redoc page (/api/docs/) loads Redoc and its fonts from their CDNs, and Redoc
# injects its styles inline and parses in a blob: worker.
API_DOCS_POLICY: dict[str, list[str]] = {
    **SITE_POLICY,
    "script-src": ["'self'", "https://cdn.jsdelivr.net"],
    "style-src": ["'self'", "'unsafe-inline'", "https://fonts.googleapis.com"],
    "font-src": ["'self'", "https://fonts.gstatic.com"],
    "worker-src": ["'self'", "blob:"],
}

POLICIES_BY_PATH = {"/api/docs/": API_DOCS_POLICY}


def media_origins() -> list[str]:
    """Origins of uploaded images that img-src does not allow already ('self' and https:): an
    http: MEDIA_URL, or the http: endpoint of an S3-compatible bucket (a local MinIO, say)."""
    candidates = [settings.MEDIA_URL]
    if settings.IMAGES_S3_BUCKET and not settings.AWS_S3_CUSTOM_DOMAIN:
        candidates.append(settings.AWS_S3_ENDPOINT_URL)
    origins = []
    for url in candidates:
        parts = urlsplit(url or "")
        if parts.scheme == "http" and parts.netloc:
            origins.append(f"http://{parts.netloc}")
    return origins


def policy_for(request: HttpRequest) -> str:
    """The header's value for this request."""
    policy = next(
        (found for prefix, found in POLICIES_BY_PATH.items() if request.path.startswith(prefix)),
        SITE_POLICY,
    )
    directives = dict(policy)
    if media := media_origins():
        directives["img-src"] = [*policy["img-src"], *media]
    try:
        host = request.get_host()
    except DisallowedHost:
        pass  # the 400 page opens no socket
    else:
        # CSP3 lets 'self' cover ws(s): to this host; older browsers need it spelled out.
        scheme = "wss" if request.is_secure() else "ws"
        directives["connect-src"] = [*policy["connect-src"], f"{scheme}://{host}"]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _add_header(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Sets the policy on responses that have none."""
    if HEADER not in response:
        response[HEADER] = policy_for(request)
    return response


content_security_policy = response_middleware(_add_header)
