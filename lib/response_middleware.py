"""Middleware that only changes responses, native under both WSGI and ASGI.

Django's MiddlewareMixin runs a sync ``process_response`` on a thread under ASGI, a hop on every
request; a middleware built here calls its function inline in whichever mode the stack runs.
"""

from collections.abc import Awaitable, Callable
from typing import TypeAlias

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

GetResponse: TypeAlias = (
    Callable[[HttpRequest], HttpResponseBase] | Callable[[HttpRequest], Awaitable[HttpResponseBase]]
)
ResponseChange: TypeAlias = Callable[[HttpRequest, HttpResponseBase], HttpResponseBase]


def response_middleware(change: ResponseChange) -> Callable[[GetResponse], GetResponse]:
    """A middleware factory applying ``change(request, response)`` to every response."""

    @sync_and_async_middleware
    def factory(get_response: GetResponse) -> GetResponse:
        if iscoroutinefunction(get_response):
            async_get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = get_response  # type: ignore[assignment]

            async def middleware(request: HttpRequest) -> HttpResponseBase:
                return change(request, await async_get_response(request))

            return middleware

        sync_get_response: Callable[[HttpRequest], HttpResponseBase] = get_response  # type: ignore[assignment]

        def sync_middleware(request: HttpRequest) -> HttpResponseBase:
            return change(request, sync_get_response(request))

        return sync_middleware

    factory.__doc__ = change.__doc__
    return factory
