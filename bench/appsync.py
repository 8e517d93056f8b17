"""The AppSync Events conversation as the benchmarks hold it, over TCP with the `websockets`
client: connect (no Origin, as AWS's clients), subscribe, open a session channel, publish."""

import base64
import json
import uuid

import websockets
from websockets.asyncio.client import ClientConnection

from chunking import codec


def header_subprotocol(headers: dict[str, str]) -> str:
    """AppSync's way of sending headers on a WebSocket upgrade: a base64url subprotocol."""
    encoded = base64.urlsafe_b64encode(json.dumps(headers).encode()).decode().rstrip("=")
    return "header-" + encoded


async def open_socket(
    ws_url: str, *, token: str | None = None, api_key: str | None = None
) -> ClientConnection:
    """An acknowledged connection to ``ws_url``'s /event/realtime, signed in when ``token``
    is given, a signed-out reader with a public read key when ``api_key`` is."""
    auth = {"host": ws_url.removeprefix("ws://")} | ({"Authorization": token} if token else {})
    auth |= {"x-api-key": api_key} if api_key else {}
    socket = await websockets.connect(
        f"{ws_url}/event/realtime",
        subprotocols=["aws-appsync-event-ws", header_subprotocol(auth)],
        max_size=2**20,
    )
    await socket.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    assert json.loads(await socket.recv()) == {"type": "ka"}
    return socket


async def ask(socket: ClientConnection, frame: dict) -> dict:
    """Send one frame; the next frame received."""
    await socket.send(json.dumps(frame))
    return json.loads(await socket.recv())


async def subscribe(socket: ClientConnection, channel: str, op_id: str = "s") -> None:
    answer = await ask(socket, {"type": "subscribe", "id": op_id, "channel": channel})
    assert (answer["type"], answer["id"]) == ("subscribe_success", op_id), answer


async def open_session_channel(socket: ClientConnection) -> str:
    """Ask for a session and subscribe to its channel; the channel."""
    request_channel = f"/trpc/session-request-{uuid.uuid4().hex[:10]}"
    await subscribe(socket, request_channel, "req")
    event = json.dumps({"type": "session.request", "clientUuid": str(uuid.uuid4())})
    await ask(
        socket, {"type": "publish", "id": "ask", "channel": request_channel, "events": [event]}
    )
    session_id = json.loads(json.loads(await socket.recv())["event"])["sessionId"]
    await ask(socket, {"type": "unsubscribe", "id": "req"})
    channel = f"/trpc/{session_id}"
    await subscribe(socket, channel, "calls")
    return channel


async def publish_chunks(socket: ClientConnection, channel: str, message: dict) -> int:
    """Publish ``message`` in chunk events, one per frame, each acknowledged; how many."""
    chunks = codec.split(json.dumps(message, ensure_ascii=False))
    for chunk in chunks:
        frame = {
            "type": "publish",
            "id": f"chunk-{chunk.chunk_index}",
            "channel": channel,
            "events": [json.dumps(chunk.to_event())],
        }
        acknowledged = await ask(socket, frame)
        assert acknowledged["type"] == "publish_success", acknowledged
        assert acknowledged["successful"], acknowledged
    return len(chunks)
