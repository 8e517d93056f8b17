"""The one door for broadcasts: a committed change is announced on its ``/subscriptions/…`` channel.

Services call ``announce`` inside their transaction: the event is built, checked (a channel
nobody declared or data JSON cannot carry fails in the service) and written to the event log
there (``realtime.event_log``), so the change and its event commit together or not at all.
Sending waits for the commit: the fast path publishes the event right after it and marks its row
relayed; what the fast path could not publish (Redis away, the process killed in between) the
relay (``realtime.relay``) publishes later. Subscribers drop repeats by position
(``realtime.delivery_order``). The realtime consumer sends its answers on session channels with
``asend_event``. This module is the only caller of ``group_send``.

The same after-commit callback first bumps the read versions of the groups the event reaches
(``realtime.read_versions``): caches of public reads are invalidated through this door too,
before any subscriber can react to the broadcast by reading.
"""

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from lib import metrics
from realtime import event_log, relay_marks
from realtime.groups import ChannelPath, delivery_groups, group_name, parse_channel_path
from realtime.namespaces import is_declared, is_restricted
from realtime.positions import LoggedEvent, Position
from realtime.read_versions import bump

logger = logging.getLogger(__name__)

ChangeType = Literal["created", "updated", "deleted"]
BROADCAST_MESSAGE_TYPE = "broadcast.event"


@dataclass(frozen=True)
class Change:
    """A committed mutation as subscribers see it: public fields only."""

    channel: str
    resource: str
    type: ChangeType
    ids: list[str]
    data: dict[str, Any] = field(default_factory=dict)

    def event(self) -> str:
        """The event as sent on the wire: a JSON string."""
        return json.dumps(
            {"resource": self.resource, "type": self.type, "ids": self.ids, "data": self.data},
            cls=DjangoJSONEncoder,
        )


class UndeclaredChannel(ValueError):
    """A change was announced on a channel no app declared: nobody could subscribe to it."""


def announce(change: Change) -> None:
    """Build ``change``'s event and log it now, in the caller's transaction (a bad channel or
    payload raises here); once that transaction commits, bump the channel's read versions, then
    send the event to its subscribers."""
    path = parse_channel_path(change.channel)
    if not is_declared(path):
        raise UndeclaredChannel(f"No app declared the broadcast channel {change.channel}.")
    payload = change.event()
    row_id, position = event_log.append(str(path), payload)
    logged = LoggedEvent(str(path), position, event_log.with_position(payload, position))
    transaction.on_commit(lambda: _send_now(row_id, logged))


@metrics.BROADCAST_SECONDS.time()
def _send_now(row_id: int, logged: LoggedEvent) -> None:
    """The fast path: publish a committed event, and have it marked relayed off the writer's
    path (``realtime.relay_marks``). A failure is left to the relay; the write has committed,
    and a broken channel layer must not turn it into an error."""
    if send_logged(logged):
        relay_marks.mark_soon(row_id)


def send_logged(logged: LoggedEvent) -> bool:
    """Bump the read versions of ``logged``'s channel and publish it to every group it
    reaches; whether every group got it."""
    path = parse_channel_path(logged.channel)
    bump(path)
    layer = get_channel_layer()
    for group in reaching_groups(path):
        try:
            async_to_sync(layer.group_send)(
                group, group_message(path, group, logged.event, position=logged.position)
            )
        except Exception:
            metrics.BROADCAST_FAILURES.inc()
            logger.warning(
                "Broadcast of %s %s to %s failed; the relay sends it later",
                logged.channel,
                logged.position.event_id(),
                group,
                exc_info=True,
            )
            return False
    return True


async def asend_event(path: ChannelPath, event: str, *, skip_channel: str | None = None) -> None:
    """Deliver ``event`` (a JSON string) now to every subscriber of ``path``, in any process,
    except the consumer ``skip_channel`` (which has been given it already)."""
    layer = get_channel_layer()
    for group in reaching_groups(path):
        await layer.group_send(group, group_message(path, group, event, skip_channel))


def reaching_groups(path: ChannelPath) -> list[str]:
    """The groups an event on ``path`` goes to: a restricted channel's own only, since its
    subscribers were checked and a wildcard's were not."""
    return [group_name(path)] if is_restricted(path) else delivery_groups(path)


def group_message(
    path: ChannelPath,
    group: str,
    event: str,
    skip_channel: str | None = None,
    *,
    position: Position | None = None,
) -> dict[str, Any]:
    """The channel-layer message for one group.

    It names its group because a socket can be in several groups an event reaches
    (``/subscriptions/*`` and ``/subscriptions/<resource>/*``); each subscription takes the
    copy of its own group, so it gets the event exactly once. ``skip`` names the consumer
    channel that must not take it. A logged event carries its position, for ordering.
    """
    message: dict[str, Any] = {
        "type": BROADCAST_MESSAGE_TYPE,
        "channel": str(path),
        "group": group,
        "event": event,
    }
    if skip_channel is not None:
        message["skip"] = skip_channel
    if position is not None:
        message["epoch"], message["offset"] = position.epoch, position.offset
    return message


def logged_event_of(message: dict[str, Any]) -> LoggedEvent | None:
    """The logged event a layer message carries; None for an unlogged one (a session
    channel's answer)."""
    epoch, offset = message.get("epoch"), message.get("offset")
    if not isinstance(epoch, str) or not isinstance(offset, int):
        return None
    return LoggedEvent(message["channel"], Position(epoch, offset), message["event"])
