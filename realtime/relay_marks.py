"""Marking the fast path's published events as relayed, off the writer's path.

Once the fast path (``realtime.broadcast``) has published an event, its row is marked relayed so
the relay's sweep leaves it alone. The mark is a write of its own; made in the request, it was
about a third of what the log added to ``post.create`` (bench/results/event_log.md). So the
fast path hands the row id to one thread per process, which marks whatever has gathered in one
statement and hands its database connection back. A mark that is never made (the process died
first) only has the relay publish the event again after ``REALTIME_RELAY_GRACE_MS``, and
subscribers drop the repeat; a process that exits normally marks what is left first.
"""

import atexit
import logging
import queue
import threading

from django.db import connection

from realtime import event_log

logger = logging.getLogger(__name__)

# Rows marked in one statement at most; more wait for the next.
_BATCH = 1000


class _Marker:
    def __init__(self) -> None:
        self._ids: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def mark_soon(self, row_id: int) -> None:
        if connection.vendor != "postgresql":
            # SQLite (development) has one writer at a time: a thread of its own would only
            # contend with the requests.
            event_log.mark_relayed([row_id])
            return
        self._ids.put(row_id)
        if self._thread is None or not self._thread.is_alive():
            with self._starting:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="realtime-relay-marks", daemon=True
                    )
                    self._thread.start()

    def flush(self) -> None:
        """Mark what has gathered, now, in the calling thread."""
        while ids := self._gathered():
            event_log.mark_relayed(ids)

    def _run(self) -> None:
        while True:
            ids = [self._ids.get(), *self._gathered(_BATCH - 1)]
            try:
                event_log.mark_relayed(ids)
            except Exception:
                # Left unmarked: the relay publishes them again, and subscribers drop them.
                logger.warning("Could not mark %d events relayed", len(ids), exc_info=True)
            finally:
                connection.close()

    def _gathered(self, limit: int = _BATCH) -> list[int]:
        ids: list[int] = []
        while len(ids) < limit:
            try:
                ids.append(self._ids.get_nowait())
            except queue.Empty:
                break
        return ids


_marker = _Marker()
mark_soon = _marker.mark_soon
flush = _marker.flush


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:
        logger.warning("Could not mark the last events relayed", exc_info=True)
