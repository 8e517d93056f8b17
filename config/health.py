"""The health check the load balancer and the container runtime poll.

"ok": everything answers. "degraded" (still 200): the database answers but Redis (channel layer
or cache) does not, so pages and the API work, less live. "down" (503): the database does not.
"""

import asyncio
import logging

from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.cache import FailSoftRedisCache

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3
OK, FAILING = "ok", "failing"


def _database_answers() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this executor thread's connection goes back to the pool


async def _channel_layer_answers() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    await layer.receive(channel)


def _cache_answers() -> None:
    cache = caches["default"]
    if isinstance(cache, FailSoftRedisCache):
        cache.ping()  # its reads would answer misses, not errors
    else:
        cache.get("healthz")


@never_cache
@require_safe
async def healthz(request: HttpRequest) -> JsonResponse:
    """200 "ok" or "degraded" while the database answers within a few seconds, else 503 "down"."""
    loop = asyncio.get_running_loop()
    # The blocking checks run on the loop's executor, not through sync_to_async: a timed-out
    # sync_to_async call still waits for its thread (a database outage would hold /healthz for
    # the whole pool timeout), while an executor future is let go at once.
    checks = {
        "database": loop.run_in_executor(None, _database_answers),
        "channel_layer": _channel_layer_answers(),
        "cache": loop.run_in_executor(None, _cache_answers),
    }
    names = list(checks)
    outcomes = await asyncio.gather(
        *(asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS) for check in checks.values()),
        return_exceptions=True,
    )
    results: dict[str, str] = {}
    for name, outcome in zip(names, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            logger.error("Health check %s failed", name, exc_info=outcome)
            results[name] = FAILING
        else:
            results[name] = OK
    if results["database"] != OK:
        status, code = "down", 503
    elif FAILING in results.values():
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **results}, status=code)
