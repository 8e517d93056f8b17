"""The relay: publishes the logged events that the fast path did not.

``realtime.broadcast`` publishes each event right after its commit and has its row marked
relayed (``realtime.relay_marks``). When that fails (Redis away, the process killed between
commit and publish) the row stays unrelayed, and every server process sweeps for such rows
every ``REALTIME_RELAY_SWEEP_MS``: it locks a batch (``SKIP LOCKED``, so processes share the
work rather than repeat it), publishes it in order, and marks it relayed in the same
transaction. If publishing fails the transaction rolls back and the next sweep tries again:
once Redis is back, everything committed meanwhile reaches its subscribers. Rows younger than
``REALTIME_RELAY_GRACE_MS`` are left to the fast path, which is about to publish them.

The sweep is a task on the server's event loop, started by the first connection that follows a
channel (``ensure_running``); its database work crosses to a thread.
"""

import asyncio
import contextvars
import logging
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction

from lib import metrics
from realtime import event_log
from realtime.broadcast import send_logged

logger = logging.getLogger(__name__)

_BATCH = 500
_sweepers: dict[asyncio.AbstractEventLoop, "asyncio.Task[None]"] = {}


def sweep_once() -> int:
    """Publish one batch of unrelayed events, oldest first; how many were published.
    Synchronous: the sweeper calls it in a thread."""
    grace = timedelta(milliseconds=settings.REALTIME_RELAY_GRACE_MS)
    with transaction.atomic():
        pending = event_log.unrelayed(older_than=grace, limit=_BATCH)
        sent: list[int] = []
        for row_id, logged in pending:
            if not send_logged(logged):
                break
            sent.append(row_id)
        event_log.mark_relayed(sent)
    if sent:
        metrics.RELAYED_EVENTS.inc(len(sent))
        logger.info("Relayed %d events the fast path had not published", len(sent))
    return len(sent)


asweep_once = database_sync_to_async(sweep_once)


def ensure_running() -> None:
    """Start this event loop's sweeper, unless it runs already or sweeping is switched off."""
    if settings.REALTIME_RELAY_SWEEP_MS <= 0:
        return
    loop = asyncio.get_running_loop()
    sweeper = _sweepers.get(loop)
    if sweeper is None or sweeper.done():
        # A context of its own: the caller's may be a request's (ThreadSensitiveContext), which
        # ends with it while the sweeper lives on.
        _sweepers[loop] = loop.create_task(
            _sweep_forever(), name="realtime-relay", context=contextvars.Context()
        )


async def _sweep_forever() -> None:
    while True:
        await asyncio.sleep(settings.REALTIME_RELAY_SWEEP_MS / 1000)
        try:
            while await asweep_once() == _BATCH:
                pass
        except Exception:
            logger.warning("The relay's sweep failed; it tries again", exc_info=True)
