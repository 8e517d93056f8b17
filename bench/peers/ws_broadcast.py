"""The floor peer of bench/realtime.py: a bare `websockets` server (compression off) that
holds idle sockets and broadcasts, with nothing of Inkwell's stack behind it.

    python bench/peers/ws_broadcast.py PORT

Every connection is a subscriber, except one that sends a text message: that message is the
event of a ``data`` frame written, encoded once, to every other connection
(``websockets.broadcast``). Its figures are what the same client measures when the server
costs next to nothing: the part of a fan-out time that is the client's, and the memory the
library itself holds per socket.
"""

import asyncio
import json
import logging
import sys

import websockets
from websockets.asyncio.server import ServerConnection, serve

subscribers: set[ServerConnection] = set()


async def handle(connection: ServerConnection) -> None:
    subscribers.add(connection)
    try:
        async for message in connection:
            subscribers.discard(connection)
            frame = json.dumps({"type": "data", "id": "s", "event": message}, separators=(",", ":"))
            websockets.broadcast(subscribers, frame)
    finally:
        subscribers.discard(connection)


async def main(port: int) -> None:
    # The bench's start-up probe is a bare TCP connect, which the library logs as a failed
    # handshake.
    logging.getLogger("websockets.server").setLevel(logging.CRITICAL)
    async with serve(handle, "127.0.0.1", port, compression=None, max_size=2**20) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
