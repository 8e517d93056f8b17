"""The one door for broadcasts: a committed change is announced on its ``/subscriptions/…`` channel.

Services call ``announce`` inside their transaction: the event is built and checked there (a
channel nobody declared or data JSON cannot carry fails in the service), and only sending waits
for the commit, never happening on rollback. The realtime consumer sends its answers on session
channels with ``asend_event``. This module is the only caller of ``group_send``.

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
from realtime.groups import ChannelPath, delivery_groups, parse_channel_path
from realtime.namespaces import is_declared
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
    """Build ``change``'s event now (so a bad channel or payload raises here, in the caller's
    transaction); once that transaction commits, bump the channel's read versions, then send
    the event to its subscribers."""
    path = parse_channel_path(change.channel)
    if not is_declared(path):
        raise UndeclaredChannel(f"No app declared the broadcast channel {change.channel}.")
    event = change.event()
    transaction.on_commit(lambda: _send(path, event, change))


@metrics.BROADCAST_SECONDS.time()
def _send(path: ChannelPath, event: str, change: Change) -> None:
    bump(path)
    layer = get_channel_layer()
    for group in delivery_groups(path):
        try:
            async_to_sync(layer.group_send)(group, group_message(path, group, event))
        except Exception:
            metrics.BROADCAST_FAILURES.inc()
            # The write has committed; a broken channel layer must not turn it into an error.
            logger.exception("Broadcast of %s %s to %s failed", change.resource, change.type, group)


async def asend_event(path: ChannelPath, event: str, *, skip_channel: str | None = None) -> None:
    """Deliver ``event`` (a JSON string) now to every subscriber of ``path``, in any process,
    except the consumer ``skip_channel`` (which has been given it already)."""
    layer = get_channel_layer()
    for group in delivery_groups(path):
        await layer.group_send(group, group_message(path, group, event, skip_channel))


def group_message(
    path: ChannelPath, group: str, event: str, skip_channel: str | None = None
) -> dict[str, str]:
    """The channel-layer message for one group.

    It names its group because a socket can be in several groups an event reaches
    (``/subscriptions/*`` and ``/subscriptions/<resource>/*``); each subscription takes the
    copy of its own group, so it gets the event exactly once. ``skip`` names the consumer
    channel that must not take it.
    """
    message = {"type": BROADCAST_MESSAGE_TYPE, "channel": str(path), "group": group, "event": event}
    if skip_channel is not None:
        message["skip"] = skip_channel
    return message
