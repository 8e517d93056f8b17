"""Streamed batches (tRPC's ``httpBatchStreamLink``): the calls of one batch run side by side,
and each call's answer is written as soon as that call is done, so a slow call never holds a
fast one back.

The answer's body is an async iterator, which Django's ASGI handler sends part by part as it
yields (``api.trpc_jsonl`` writes the lines). Each call runs through ``call_procedure`` in a
worker thread of a pool shared by every streamed batch of the process
(``API_TRPC_STREAM_THREADS``: it bounds the database connections these calls hold at once),
and gives its thread's database connection back when it is done, as Django's
``request_finished`` does for a request.

When the client goes away, Django's handler cancels the response: calls still waiting for a
thread never start (nor count against the caller's rate); a call already running finishes in
its thread (Python cannot stop a thread), gives its connection back, and its answer is dropped.
"""

import asyncio
import functools
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from api import trpc
from api.dispatch import call_procedure
from api.trpc_jsonl import JsonlBody

if TYPE_CHECKING:  # the user model's app registers procedures in api: no import at run time
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


async def streamed_answers(
    request: trpc.HttpRequest, *, user: "User | AnonymousUser", client_address: str | None
) -> AsyncIterator[bytes]:
    """The JSON Lines of ``request``'s answers: the head at once, then each call's lines in
    the order the calls finish."""
    body = JsonlBody(len(request.calls), uses_superjson=request.uses_superjson)
    yield body.head()
    run = sync_to_async(
        _answer_call,
        thread_sensitive=False,
        executor=_call_threads(settings.API_TRPC_STREAM_THREADS),
    )
    running = {
        asyncio.ensure_future(
            run(call, kind=request.kind, user=user, client_address=client_address)
        ): index
        for index, call in enumerate(request.calls)
    }
    try:
        while running:
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(done, key=running.__getitem__):
                yield body.answer(running.pop(task), task.result())
    finally:
        # The client went away (or the stream was closed early): drop what is left.
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


def _answer_call(
    call: trpc.Call, *, kind: str, user: "User | AnonymousUser", client_address: str | None
) -> trpc.Outcome:
    """One call, in a worker thread; the thread's database connection is closed (handed back
    to the pool) after it, as at the end of a request."""
    try:
        return call_procedure(
            path=call.path,
            kind=kind,
            raw_input=call.input,
            user=user,
            client_address=client_address,
        )
    finally:
        close_old_connections()


@functools.cache
def _call_threads(size: int) -> ThreadPoolExecutor:
    """The process's pool of call threads (one per configured size)."""
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="trpc-stream")
