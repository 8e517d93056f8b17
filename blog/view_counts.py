"""Post views counted in Redis as they happen and added to the database in batches, so that
reading a post writes nothing to PostgreSQL on its way.

A view is one HINCRBY on a hash of pending counts (post id → views). At most once per
``settings.VIEW_COUNT_FLUSH_SECONDS`` site-wide (a marker key set NX with that expiry; each
process asks for it at most once per interval) the view that finds a flush due flushes: the
pending hash is renamed aside as the batch (RENAMENX: views after it start a new hash), its
counts are added to their posts in UPDATEs of up to ``_FLUSH_CHUNK`` posts, and each chunk's
counts leave the batch once its UPDATE committed. A flush that fails leaves the rest of its
batch for the next one, which finishes it before taking a new batch. ``manage.py
flush_post_views`` flushes at once (cron, before a deploy). So the database's counts, which
every answer shows, lag the views by at most the interval (plus the public read cache's
seconds, ``blog.read_cache``) while posts are read; after the last view of a quiet site, until
the next view or ``flush_post_views``.

No view is dropped silently: without Redis (``REDIS_URL`` unset), with the interval 0, or while
Redis is unreachable (logged once per outage), a view is an UPDATE at once. What can still go
wrong is said where it can: a flush killed between a chunk's commit and its removal from the
batch counts that chunk twice (over, never under); a Redis that loses its data (a restart
without persistence, an ``allkeys-*`` eviction policy) loses the views not yet flushed.
"""

import logging
import secrets
import threading
import time
from collections import defaultdict
from typing import Any
from uuid import UUID

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When

from blog.models import Post

logger = logging.getLogger(__name__)

# Posts per UPDATE of a flush (each a transaction of its own, then removed from the batch).
_FLUSH_CHUNK = 500
# A flush holds this lock while it runs: another flush (another process, the command) waits
# for the next interval rather than adding the same batch twice.
_FLUSH_LOCK_SECONDS = 300
_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, OSError)

_client: "redis.Redis | None" = None
_client_lock = threading.Lock()
_next_due_check = 0.0
_is_unreachable = False


def _key(name: str) -> str:
    return f"{settings.REDIS_PREFIX}.post_views.{name}"


def _redis() -> "redis.Redis | None":
    """The process's Redis client, or None when views are written at once."""
    global _client
    if not settings.REDIS_URL or settings.VIEW_COUNT_FLUSH_SECONDS <= 0:
        return None
    if _client is None:
        with _client_lock:
            if _client is None:
                # The cache's timeouts: a view waits no longer for Redis than a page does.
                options: Any = settings.CACHES["default"].get("OPTIONS", {})
                _client = redis.Redis.from_url(
                    settings.REDIS_URL,
                    socket_connect_timeout=options.get("socket_connect_timeout", 2),
                    socket_timeout=options.get("socket_timeout", 2),
                )
    return _client


def record(post_id: UUID) -> None:
    """Count one view of the post: pending in Redis, or in the database at once (see above)."""
    client = _redis()
    if client is not None:
        try:
            client.hincrby(_key("pending"), str(post_id), 1)
        except _UNREACHABLE:
            _note_unreachable(is_unreachable=True)
        else:
            _note_unreachable(is_unreachable=False)
            _flush_if_due(client)
            return
    _add_to_posts({post_id: 1})


def flush() -> int:
    """Add every pending view to its post now; the number of views added (0 when another
    flush is running, or views are written at once)."""
    client = _redis()
    if client is None:
        return 0
    token = secrets.token_hex(8)
    if not client.set(_key("flush_lock"), token, nx=True, ex=_FLUSH_LOCK_SECONDS):
        return 0
    try:
        added = _flush_batch(client)  # what a failed flush left, first
        try:
            # Views from now on start a new pending hash; a batch still there is not replaced.
            is_taken = client.renamenx(_key("pending"), _key("batch"))
        except redis.ResponseError:  # no pending hash: nothing was viewed since
            is_taken = False
        if is_taken:
            added += _flush_batch(client)
        return added
    finally:
        if client.get(_key("flush_lock")) == token.encode():
            client.delete(_key("flush_lock"))


def _flush_if_due(client: "redis.Redis") -> None:
    """Flush when this process has not asked for an interval and no process flushed within one."""
    global _next_due_check
    now = time.monotonic()
    if now < _next_due_check:
        return
    interval = settings.VIEW_COUNT_FLUSH_SECONDS
    _next_due_check = now + interval
    try:
        if client.set(_key("flushed"), 1, nx=True, ex=interval):
            flush()
    except _UNREACHABLE:
        _note_unreachable(is_unreachable=True)
    except Exception:
        # The view is counted (pending); the batch stays for the next flush.
        logger.exception("Flushing the pending post views failed")


def _flush_batch(client: "redis.Redis") -> int:
    """Add the batch's counts to their posts, a chunk per transaction, each chunk leaving the
    batch once committed; the views added."""
    batch: dict[bytes, bytes] = client.hgetall(_key("batch"))  # type: ignore[assignment]
    counts = {field.decode(): int(value) for field, value in batch.items()}
    fields = list(counts)
    added = 0
    for start in range(0, len(fields), _FLUSH_CHUNK):
        chunk = fields[start : start + _FLUSH_CHUNK]
        views = {UUID(field): counts[field] for field in chunk}
        with transaction.atomic(durable=True):  # committed before the counts leave the batch
            _add_to_posts(views)
        client.hdel(_key("batch"), *chunk)
        added += sum(views.values())
    return added


def _add_to_posts(views: dict[UUID, int]) -> None:
    """Add ``views`` to their posts' counts in one UPDATE (a deleted post's are dropped)."""
    by_count: dict[int, list[UUID]] = defaultdict(list)
    for post_id, count in views.items():
        by_count[count].append(post_id)
    if len(by_count) == 1:
        [(count, ids)] = by_count.items()
        Post.objects.filter(id__in=ids).update(view_count=F("view_count") + count)
        return
    increments = Case(
        *(When(id__in=ids, then=Value(count)) for count, ids in by_count.items()),
        output_field=IntegerField(),
    )
    Post.objects.filter(id__in=views).update(view_count=F("view_count") + increments)


def _note_unreachable(*, is_unreachable: bool) -> None:
    global _is_unreachable
    if _is_unreachable == is_unreachable:
        return
    _is_unreachable = is_unreachable
    if is_unreachable:
        logger.warning("Redis is unreachable: post views are written at once.", exc_info=True)
    else:
        logger.warning("Redis answers again: post views are counted in it.")
