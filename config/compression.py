"""Pages and API answers gzip-compressed for clients that accept it (Django's GZipMiddleware:
its rules, and its BREACH mitigation of random padding in the gzip header). Streams pass as they
are: compressing an SSE or JSONL stream would hold its events back in the compressor's buffer.
Static files come compressed already (WhiteNoise), and behind nginx it may compress instead.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from lib.response_middleware import response_middleware

# Django's rules and BREACH padding live in its process_response, used here on its own; the
# middleware wants a get_response, which this one never calls (the chain is ours).
_GZIP = GZipMiddleware(HttpResponse)


def _compress(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Compresses whole responses when the client accepts gzip; streams pass untouched."""
    if response.streaming:
        return response
    return _GZIP.process_response(request, response)


compress_responses = response_middleware(_compress)
