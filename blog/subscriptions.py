"""What the blog's subscriptions follow: its announcement channels (``blog.announcements``),
each event turned into the value a subscriber of one procedure gets, or skipped.

The channels carry what every reader may see (drafts are never announced), so the values are
built from the events alone; who may follow which post is the procedures' check, made when a
subscription opens. Following itself is ``realtime.follow``'s; its failures become the errors
every transport maps (``lib.errors``, ``api.registry.NotResumable``).
"""

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from api.registry import Delivery, Feed, NotResumable
from blog.announcements import POSTS_CHANNEL, comments_channel
from lib.errors import InvalidInput, ServiceUnavailable
from realtime.follow import LiveUnavailable, follow
from realtime.positions import InvalidPosition, LoggedEvent, NotRecovered, Position

Event = dict[str, Any]
# One event of a channel as the subscriber's value; None: not for this subscriber.
Shape = Callable[[Event], object | None]
# Each type of change as the subscriptions name it: a deleted post or comment, or an
# unpublished post, is gone as far as readers are concerned.
_CHANGE_TYPES = {"created": "created", "updated": "updated", "deleted": "removed"}


def new_posts(*, since: Position | None) -> Feed:
    """Posts as they are published (``PostAnnouncedOutput``)."""
    return _feed(POSTS_CHANNEL, since, _published_post)


def post_changes(*, post_id: UUID, since: Position | None) -> Feed:
    """The changes of one post (``PostChangeOutput``)."""
    return _feed(POSTS_CHANNEL, since, _post_change_of(str(post_id)))


def comment_changes(*, post_id: UUID, since: Position | None) -> Feed:
    """The changes of one post's comments (``CommentChangeOutput``)."""
    return _feed(comments_channel(post_id), since, _comment_change)


def _published_post(event: Event) -> object | None:
    return _post_with_dates(event["data"]) if event["type"] == "created" else None


def _post_change_of(post_id: str) -> Shape:
    def post_change(event: Event) -> object | None:
        if post_id not in event["ids"]:
            return None
        if event["type"] == "deleted":
            return {"type": "removed", "id": post_id, "post": None}
        # "created" too: a post published again is back, as it is now.
        return {"type": "updated", "id": post_id, "post": _post_with_dates(event["data"])}

    return post_change


def _comment_change(event: Event) -> object:
    change = _CHANGE_TYPES[event["type"]]
    comment = None if change == "removed" else _with_dates(event["data"])
    return {"type": change, "id": event["ids"][0], "comment": comment}


def _with_dates(data: Event) -> Event:
    """An announced post or comment, its times datetimes again (JSON carried them as text)."""
    return {
        **data,
        "createdAt": datetime.fromisoformat(data["createdAt"]),
        "updatedAt": datetime.fromisoformat(data["updatedAt"]),
    }


def _post_with_dates(data: Event) -> Event:
    """An announced post, its times datetimes again. A post announced before posts had a
    ``publishedAt`` (an event still in the log) is taken as published when it was created, as
    the migration that added it took every post published then."""
    return {
        **_with_dates(data),
        "publishedAt": datetime.fromisoformat(data.get("publishedAt") or data["createdAt"]),
    }


def _feed(channel: str, since: Position | None, shape: Shape) -> Feed:
    return Feed(channel, lambda: _deliveries(channel, since, shape))


@contextlib.asynccontextmanager
async def _deliveries(
    channel: str, since: Position | None, shape: Shape
) -> AsyncIterator[AsyncIterator[Delivery]]:
    """``follow(channel, since=since)``, each event shaped, its failures as service errors:
    whether raised on joining or while the stream runs."""
    try:
        async with follow(channel, since=since) as events:
            yield _shaped(events, shape)
    except LiveUnavailable as error:
        raise ServiceUnavailable(str(error) or None, retry_after=1) from error
    except NotRecovered as error:
        raise NotResumable() from error
    except InvalidPosition as error:
        raise InvalidInput({"lastEventId": [str(error)]}) from error


async def _shaped(events: AsyncIterator[LoggedEvent], shape: Shape) -> AsyncIterator[Delivery]:
    async for logged in events:
        value = shape(json.loads(logged.event))
        if value is not None:
            yield Delivery(logged.position.event_id(), value)
