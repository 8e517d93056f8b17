"""One-thread executors kept for reuse: a thread of its own for a request, or a socket's call,
without starting an OS thread each time (a new one costs about 0.3-0.5 ms of CPU).

Inside ``thread_of_its_own``, every thread-sensitive ``sync_to_async`` (Django's ORM crossings)
runs on the block's one thread, so its database connection is that thread's. A thread goes
back to the idle list when the block ends; beyond ``max_idle`` it ends. Code a client left
running (it went away mid-request) keeps the thread busy: the next user of that executor waits
for it, and never shares the thread with it.
"""

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from asgiref.sync import ThreadSensitiveContext


class ReusedThreads:
    def __init__(self, *, max_idle: int, name: str) -> None:
        self.max_idle = max_idle
        self.name = name
        self._idle: list[ThreadPoolExecutor] = []

    @asynccontextmanager
    async def thread_of_its_own(self) -> AsyncIterator[ThreadPoolExecutor]:
        """Run the block's thread-sensitive crossings on one thread, taken from the idle ones."""
        executor = (
            self._idle.pop()
            if self._idle
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix=self.name)
        )
        try:
            async with ThreadSensitiveContext(executor=executor):
                yield executor
        finally:
            if len(self._idle) < self.max_idle:
                self._idle.append(executor)
            else:
                executor.shutdown(wait=False)
