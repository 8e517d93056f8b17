"""Django's ASGI handler for HTTP, run the way a threaded WSGI server runs it: the middleware
chain and the view synchronously in one thread hop per request, on a reused thread.

Django's own ASGI handler runs the chain in async mode, where every ``MiddlewareMixin`` method
(all of Django's middleware) and the sync view cross to a thread on their own: 16 hand-offs for
one tRPC call. It also gives every request a new one-thread executor, i.e. a new OS thread
(``ThreadSensitiveContext``). Here the chain is loaded in sync mode and entered once; each
request still gets a thread of its own for all its thread-sensitive work (its database
connection is that thread's), taken from a pool of idle ones (``request_threads``). See
``bench/results/request_path.md`` for what this saves. A subscription's stream gives its thread
back before it starts (``api.subscription_streams``).
"""

from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

from lib.reused_threads import ReusedThreads

# Idle request threads kept for the next requests; a burst above this starts threads that end
# with their request, as Django's handler does for every request.
MAX_IDLE_THREADS = 32


class SyncChainASGIHandler(ASGIHandler):
    """``ASGIHandler`` whose middleware chain is sync, called once per request in the request's
    thread, and whose request threads are reused."""

    def __init__(self) -> None:
        self.request_threads = ReusedThreads(max_idle=MAX_IDLE_THREADS, name="django-request")
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # Every middleware of the site is sync-capable (WhiteNoise is sync only), so the chain
        # and the sync views run without hops; an async view (/healthz) crosses back once.
        super().load_middleware(is_async=False)
        # django-stubs do not declare BaseHandler's chain attribute.
        sync_chain = self._middleware_chain  # type: ignore[has-type]
        self._middleware_chain = sync_to_async(sync_chain, thread_sensitive=True)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # Everything thread-sensitive in this request (signals, chain, closing the response)
        # runs on one thread, so its database connection is closed there.
        async with self.request_threads.thread_of_its_own():
            await self.handle(scope, receive, send)


def get_http_application() -> SyncChainASGIHandler:
    """The HTTP application, once Django is set up (``django.setup`` as Django's own does)."""
    import django

    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
