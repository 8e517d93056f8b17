"""Public reads served from the cache: post.list's first page of published posts (any limit)
and a published post's comment threads, the same answer for every viewer.

An entry is stored with the read versions (``realtime.read_versions``) of the channels whose
announcements change it, read in the same round trip as the entry before the database is:

- post.list's first page: ``/subscriptions/posts`` (a post published, changed, unpublished or
  deleted) and ``/subscriptions/comments/*`` (comments change the listed comment counts; an
  edited comment, which changes no count, invalidates it too: rare, and harmless);
- a post's comments: ``/subscriptions/comments/<post-id>`` and ``/subscriptions/posts`` (a post
  unpublished or deleted must stop showing its comments at once).

``realtime.broadcast.announce`` bumps those versions after the commit and before the
broadcast, so a write's own answer, and any read after it, never sees the old entry; a
rolled-back write bumps nothing. Drafts never enter: a page is cached only when it lists
published posts, and threads only when an anonymous reader may see the post.

The rule for what changes unannounced: view counts, an author's name and avatar
(``accounts.services.update_profile``), and writes around the services (the admin's bulk
actions, shell, migrations) are at most ``settings.PUBLIC_READ_CACHE_SECONDS`` old in a
cached answer (default 5; 0 turns the cache off). While the cache is away reads answer from
the database.
"""

from collections.abc import Callable
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from blog import outputs, selectors
from blog.announcements import POSTS_CHANNEL, comments_channel
from blog.selectors import Viewer
from lib.errors import NotFound
from lib.read_routing import primary_reads
from realtime.read_versions import shared_cache, started, tokens_and, version_key

_POST_LIST_CHANNELS = (POSTS_CHANNEL, comments_channel("*"))


def post_list(
    *,
    viewer: Viewer,
    limit: int,
    cursor: str | None = None,
    author_id: UUID | None = None,
    published: bool = True,
) -> outputs.Built:
    """post.list's answer (``selectors.post_row_page``); the first page of all published
    posts from the cache."""

    def build() -> outputs.Built:
        return outputs.post_list(
            selectors.post_row_page(
                viewer=viewer,
                limit=limit,
                cursor=cursor,
                author_id=author_id,
                published=published,
            )
        )

    if not published or cursor or author_id is not None:
        return build()
    return _cached(f"public_read.post_list.{limit}", _POST_LIST_CHANNELS, build)


def comment_list(*, viewer: Viewer, post_id: UUID) -> outputs.Built:
    """comment.list's answer (``selectors.comment_rows``): a published post's threads from the
    cache; a draft's, for its author and staff, from the database only."""
    channels = (comments_channel(post_id), POSTS_CHANNEL)
    try:
        return _cached(f"public_read.comment_list.{post_id}", channels, lambda: _threads(post_id))
    except NotFound:
        if not viewer.is_authenticated:
            raise
    return outputs.comment_list(selectors.comment_rows(viewer=viewer, post_id=post_id))


def _threads(post_id: UUID) -> outputs.Built:
    """The threads as anyone sees them: NotFound unless the post is published."""
    return outputs.comment_list(selectors.comment_rows(viewer=AnonymousUser(), post_id=post_id))


def _cached(
    key: str, channels: tuple[str, ...], build: Callable[[], outputs.Built]
) -> outputs.Built:
    """The entry at ``key`` if stored under the channels' current versions; else ``build()``,
    stored under the versions read before it ran."""
    seconds = settings.PUBLIC_READ_CACHE_SECONDS
    if seconds <= 0:
        return build()
    version_keys = [version_key(channel) for channel in channels]
    tokens, entry = tokens_and(version_keys, key)
    if entry is not None and entry[0] == tokens:
        return entry[1]  # type: ignore[no-any-return]
    complete = started(version_keys, tokens)
    # Kept for every viewer, the author of the write that bumped the versions included: built
    # from the primary, as a lagging read replica could store the old answer under them.
    with primary_reads():
        built = build()
    shared_cache().set(key, (complete, built), timeout=seconds)
    return built
