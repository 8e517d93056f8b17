"""A page whose database connection cannot be had (the pool is exhausted, or PostgreSQL refuses)
is answered at once with the 503 page and Retry-After, never a 500 with its traceback mail."""

import logging
from collections.abc import Awaitable, Callable

import psycopg
import psycopg_pool
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# Transient by nature; SQLite's OperationalError ("no such table") is a bug, and stays a 500.
_BUSY = (psycopg_pool.PoolTimeout, psycopg.OperationalError)


def is_database_busy(error: BaseException) -> bool:
    """Whether ``error`` (or what Django wrapped in it) says the database cannot be had now."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, _BUSY):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def busy_response() -> HttpResponse:
    page = loader.get_template("503.html").render()
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns the database's "not now" into 503 + Retry-After (sync and async)."""

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy on %s: answered 503 (%s)", request.path, exception)
        return busy_response()
