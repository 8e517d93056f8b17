"""A bound on CPU-heavy work running at once in one process (password hashes, image decoding):
a semaphore sized by a setting, which a caller waits for only so long before it is refused."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class ProcessSlots:
    """At most ``size()`` holders at once; one that waits longer than ``wait_seconds()`` gets
    ``busy()`` raised instead. Both are read on each use, so a changed setting (tests change
    them) takes effect: the semaphore is rebuilt when the size changes."""

    def __init__(
        self,
        *,
        size: Callable[[], int],
        wait_seconds: Callable[[], float],
        busy: Callable[[], Exception],
    ) -> None:
        self._size = size
        self._wait_seconds = wait_seconds
        self._busy = busy
        self._lock = threading.Lock()
        self._slots: tuple[int, threading.BoundedSemaphore] | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        slots = self._semaphore()
        if not slots.acquire(timeout=self._wait_seconds()):
            raise self._busy()
        try:
            yield
        finally:
            slots.release()

    def _semaphore(self) -> threading.BoundedSemaphore:
        size = self._size()
        with self._lock:
            if self._slots is None or self._slots[0] != size:
                self._slots = (size, threading.BoundedSemaphore(size))
            return self._slots[1]
