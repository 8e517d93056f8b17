"""Pages and API answers gzip-compressed for clients that accept it (Django's GZipMiddleware:
its rules, and its BREACH mitigation of random padding in the gzip header). Streams pass as they
are: compressing an SSE or JSONL stream would hold its events back in the compressor's buffer.
Static files come compressed already (WhiteNoise), and behind nginx it may compress instead.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from lib.response_middleware import response_middleware


def _unused(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # GZipMiddleware wants a get_response; only its process_response runs


_GZIP = GZipMiddleware(_unused)


def _compress(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Compresses whole responses when the client accepts gzip; streams pass untouched."""
    if response.streaming:
        return response
    return _GZIP.process_response(request, response)


compress_responses = response_middleware(_compress)
