"""The page-latency middleware: every HTTP request timed, by URL route, into lib.metrics."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from lib import metrics


def page_latency(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Times the rest of the chain (the site runs it synchronously: config.http_handler)."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = get_response(request)
        metrics.observe_page(request, response.status_code, time.perf_counter() - started)
        return response

    return middleware
