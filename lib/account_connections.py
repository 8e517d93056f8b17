"""Closing an account's open connections when it is suspended (``accounts.suspensions``).

Each WebSocket joins the channel-layer group of every account that has spoken on it, and each
signed-in SSE stream watches its account's group (``watch_account``); ``end_connections`` tells
the group, and each process closes its own within the layer's delivery time. With the layer
away the message is lost, but nothing more gets through: every operation's token is checked
again, and a stream's access is checked again when it reconnects.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

ACCOUNT_ENDED_MESSAGE_TYPE = "account.ended"


def account_group(user_id: UUID) -> str:
    return f"account.{user_id}"


def end_connections(*, user_id: UUID, **kwargs: Any) -> None:
    """Close every open connection of the account (the ``account_suspended`` receiver)."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            account_group(user_id), {"type": ACCOUNT_ENDED_MESSAGE_TYPE}
        )
    except Exception:
        logger.warning("Could not close the connections of account %s", user_id, exc_info=True)


@contextlib.asynccontextmanager
async def watch_account(user_id: UUID | None) -> AsyncIterator[asyncio.Event]:
    """An event set when the account ``user_id`` is ended while the block runs (never set for
    None: an anonymous stream). Leaving the block leaves the layer."""
    ended = asyncio.Event()
    if user_id is None:
        yield ended
        return
    layer = get_channel_layer()
    group = account_group(user_id)
    name = await layer.new_channel()

    async def listen() -> None:
        while (await layer.receive(name)).get("type") != ACCOUNT_ENDED_MESSAGE_TYPE:
            pass
        ended.set()

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0)  # the listener's receive registers the channel before it joins
    try:
        try:
            await layer.group_add(group, name)
        except Exception:
            # Redis is away: the stream goes on unwatched, as any stream goes on without Redis.
            logger.warning("Could not watch account %s", user_id, exc_info=True)
        yield ended
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await listener
        with contextlib.suppress(Exception):
            await layer.group_discard(group, name)
