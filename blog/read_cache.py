"""Public reads served from the cache: post.list's first page of published posts (any limit),
a published post (post.byId for everyone, post.bySlug for anonymous readers) and its comment
threads, the same answer for every viewer.

An entry is stored with the read versions (``realtime.read_versions``) of the channels whose
announcements change it, read in the same round trip as the entry before the database is:

- post.list's first page: ``/subscriptions/posts`` (a post published, changed, unpublished or
  deleted) and ``/subscriptions/comments/*`` (comments change the listed comment counts; an
  edited comment, which changes no count, invalidates it too: rare, and harmless);
- a post's comments: ``/subscriptions/comments/<post-id>`` and ``/subscriptions/posts`` (a post
  unpublished or deleted must stop showing its comments at once);
- a post: ``/subscriptions/posts`` (any post's change drops every cached post: rare) and its
  comments' channel (its comment count); by slug, whose post is not known before the entry
  is read, ``/subscriptions/comments/*`` (any comment's change drops the posts cached by slug).
  A slug the post had (``PostSlug``) is cached as its own key, answering the post under its
  current slug; a slug change is announced on ``/subscriptions/posts``, so no key, old or
  new, keeps an answer from before it.

``realtime.broadcast.announce`` bumps those versions after the commit and before the
broadcast, so a write's own answer, and any read after it, never sees the old entry; a
rolled-back write bumps nothing. Drafts never enter: a page is cached only when it lists
published posts, and threads and posts only when an anonymous reader may see the post. A
signed-in reader's post.bySlug reads the database: their own draft may share a published post's
slug, and is theirs to see first.

An entry holds its answer as JSON bytes and the answer's SuperJSON annotations, built once when
stored: a hit hands the bytes to the transport as they are (``orjson.Fragment``), neither
unpickling the answer's objects nor walking and writing them again. Keys start
``public_read.v3.``: a change of the entries' form changes it, so the processes of two
releases, side by side during a deploy, never read each other's entries.

The rule for what changes unannounced: view counts (``blog.view_counts``), an author's name
and avatar (``accounts.services.update_profile``), and writes around the services (the admin's
bulk actions, shell, migrations) are at most ``settings.PUBLIC_READ_CACHE_SECONDS`` old in a
cached answer (default 5; 0 turns the cache off). While the cache is away reads answer from
the database.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import orjson
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from api import superjson, trpc
from blog import outputs, selectors
from blog.announcements import POSTS_CHANNEL, comments_channel
from blog.models import Post
from blog.selectors import Viewer
from lib import shared_answers
from lib.errors import NotFound
from lib.read_routing import primary_reads
from realtime.read_versions import (
    current_tokens,
    shared_cache,
    started,
    tokens_and,
    version_key,
)

_POST_LIST_CHANNELS = (POSTS_CHANNEL, comments_channel("*"))
_POST_BY_SLUG_CHANNELS = (POSTS_CHANNEL, comments_channel("*"))
# Bytes of cached answers each process also holds in memory (``_RecentEntries``).
_RECENT_BYTES = 32 * 1024 * 1024

# An answer as an entry holds it: its JSON bytes, and its SuperJSON annotations.
Stored = tuple[bytes, dict[str, list[str]]]
EntryT = TypeVar("EntryT")
# Its JSON bytes first, then anything else the entry needs.
StoredT = TypeVar("StoredT", bound=tuple[Any, ...])


@dataclass(frozen=True, slots=True)
class ShownPost:
    """post.bySlug/byId's answer, and the post whose view it counts."""

    post_id: UUID
    answer: outputs.Built


def post_list(
    *,
    viewer: Viewer,
    limit: int,
    cursor: str | None = None,
    author_id: UUID | None = None,
    published: bool = True,
    tag: str | None = None,
) -> outputs.Built:
    """post.list's answer (``selectors.post_row_page``); the first page of all published
    posts from the cache (with their tags: a post's tags change only through
    ``services.update_post``, which announces the post)."""

    def build() -> outputs.Built:
        return outputs.post_list(
            selectors.post_row_page(
                viewer=viewer,
                limit=limit,
                cursor=cursor,
                author_id=author_id,
                published=published,
                tag=tag,
            )
        )

    if not published or cursor or author_id is not None or tag is not None:
        return build()
    return _cached_answer(f"public_read.v3.post_list.{limit}", _POST_LIST_CHANNELS, build)


def post_detail(
    *, viewer: Viewer, slug: str | None = None, post_id: UUID | None = None
) -> ShownPost:
    """post.bySlug/byId's answer (``selectors.post_to_show``): a published post's from the
    cache; a draft, for its author and staff, and a signed-in reader's post by slug, from the
    database only."""
    if slug is not None and viewer.is_authenticated:
        return _shown(selectors.post_to_show(viewer=viewer, slug=slug))
    if slug is not None:
        digest = hashlib.blake2b(slug.encode("utf-8", "surrogatepass"), digest_size=16)
        key, channels = (
            f"public_read.v3.post_by_slug.{digest.hexdigest()}",
            _POST_BY_SLUG_CHANNELS,
        )
    else:
        key, channels = (
            f"public_read.v3.post.{post_id}",
            (POSTS_CHANNEL, comments_channel(post_id)),
        )

    def build() -> tuple[UUID, outputs.Built]:
        post = selectors.post_to_show(viewer=AnonymousUser(), slug=slug, post_id=post_id)
        return post.id, outputs.post_detail(post)

    try:
        shown_id, answer = _cached(key, channels, build, _stored_post, _answer_of_post)
    except NotFound:
        if not viewer.is_authenticated:
            raise
        return _shown(selectors.post_to_show(viewer=viewer, post_id=post_id))
    return ShownPost(shown_id, answer)


def _shown(post: Post) -> ShownPost:
    return ShownPost(post.id, outputs.post_detail(post))


def _stored_post(built: tuple[UUID, outputs.Built]) -> tuple[bytes, dict[str, list[str]], UUID]:
    return (*_stored(built[1]), built[0])


def _answer_of_post(
    stored: tuple[bytes, dict[str, list[str]], UUID],
) -> tuple[UUID, outputs.Built]:
    json, annotations, post_id = stored
    return post_id, _answer((json, annotations))


def comment_list(*, viewer: Viewer, post_id: UUID) -> outputs.Built:
    """comment.list's answer (``selectors.comment_rows``): a published post's threads from the
    cache; a draft's, for its author and staff, from the database only."""
    channels = (comments_channel(post_id), POSTS_CHANNEL)
    try:
        return _cached_answer(
            f"public_read.v3.comment_list.{post_id}", channels, lambda: _threads(post_id)
        )
    except NotFound:
        if not viewer.is_authenticated:
            raise
    return outputs.comment_list(selectors.comment_rows(viewer=viewer, post_id=post_id))


def _threads(post_id: UUID) -> outputs.Built:
    """The threads as anyone sees them: NotFound unless the post is published."""
    return outputs.comment_list(selectors.comment_rows(viewer=AnonymousUser(), post_id=post_id))


def _cached_answer(
    key: str, channels: tuple[str, ...], build: Callable[[], outputs.Built]
) -> outputs.Built:
    return _cached(key, channels, build, _stored, _answer, shared=True)


def _cached(
    key: str,
    channels: tuple[str, ...],
    build: Callable[[], EntryT],
    store: Callable[[EntryT], StoredT],
    load: Callable[[StoredT], EntryT],
    *,
    shared: bool = False,
) -> EntryT:
    """``load`` of the entry at ``key`` if stored under the channels' current versions; else
    ``build()``, stored (as ``store`` makes it) under the versions read before it ran. An entry
    this process holds (``_recent``) costs only the versions' round trip. A ``shared`` answer
    (one whose call does nothing else, so the whole answer may be sent again) is declared in
    ``lib.shared_answers`` under those versions, until the entry expires."""
    seconds = settings.PUBLIC_READ_CACHE_SECONDS
    if seconds <= 0:
        return build()
    version_keys = [version_key(channel) for channel in channels]
    now = time.time()
    held = _recent.get(key, now=now)
    if held is None:
        tokens, entry = tokens_and(version_keys, key)
    else:
        tokens = current_tokens(version_keys)
        # Another process may have stored the new one.
        entry = held if held[0] == tokens else shared_cache().get(key)
    if entry is None or entry[0] != tokens:
        complete = started(version_keys, tokens)
        # Kept for every viewer, the author of the write that bumped the versions included:
        # built from the primary, as a lagging read replica could store the old answer under
        # them.
        with primary_reads():
            stored = store(build())
        entry = (complete, stored, now + seconds)
        shared_cache().set(key, entry, timeout=seconds)
    if entry is not held:
        _recent.put(key, entry, size=len(entry[1][0]))
    if shared:
        shared_answers.declare(version_keys, entry[0], expires_at=entry[2])
    return load(entry[1])


class _RecentEntries:
    """The entries this process last read or stored, up to ``capacity`` bytes of answers, each
    until the moment its entry expires in the cache (``PUBLIC_READ_CACHE_SECONDS`` after it was
    built, never later): a hit then reads the versions alone, not the answer's bytes again
    (a 200-comment thread is ~100 KB). Served only while its versions are current."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, tuple[tuple[Any, ...], int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str, *, now: float) -> tuple[Any, ...] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            entry, _size = found
            if entry[2] <= now:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple[Any, ...], *, size: int) -> None:
        if size > self.capacity // 8:
            return  # one huge post would push out everything else
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (entry, size)
            self._bytes += size
            while self._bytes > self.capacity:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        _entry, size = self._entries.pop(key)
        self._bytes -= size


_recent = _RecentEntries(capacity=_RECENT_BYTES)


def _stored(built: outputs.Built) -> Stored:
    """An answer as an entry holds it: the JSON the transports write (both transformers write
    the same JSON for a built answer, whose dates are already strings) and its annotations,
    each distinct annotation one shared list (pickled once, not once per path)."""
    wrapped = superjson.serialize(built.value)
    annotations = wrapped.get("meta", {}).get("values", {})
    shared: dict[tuple[str, ...], list[str]] = {}
    return trpc.dumps(wrapped["json"]), {
        path: shared.setdefault(tuple(types), types) for path, types in annotations.items()
    }


def _answer(stored: Stored) -> outputs.Built:
    """A stored answer for the transports, its JSON taken as it is."""
    json, annotations = stored
    return outputs.Built(superjson.Encoded(orjson.Fragment(json), annotations))
