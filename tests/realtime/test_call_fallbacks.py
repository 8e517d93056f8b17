"""A call whose database fails under it still gets its tRPC answer, encoded as over HTTP: an
empty pool is SERVICE_UNAVAILABLE, anything else an internal error."""

import json

import pytest
from django.db import OperationalError
from psycopg_pool import PoolTimeout

from api import trpc
from realtime import session_channel
from tests.realtime.conftest import call, connect, open_session, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

QUERY = {"id": "q1", "method": "query", "params": {"path": "post.list"}}


@pytest.fixture
def crossing_fails(monkeypatch):
    """Running the procedure raises the given error."""

    def fail_with(error: Exception) -> None:
        def failing(call, *, user):
            raise error

        monkeypatch.setattr(session_channel, "answer_call", failing)

    return fail_with


async def _session(cookie: str):
    communicator = await connect(cookie)
    channel = f"/trpc/{await open_session(communicator)}"
    await subscribe(communicator, channel, "calls")
    return communicator, channel


async def test_an_empty_pool_before_the_call_is_service_unavailable(author_cookie, crossing_fails):
    # What Django raises when psycopg's pool gives no connection in time.
    crossing_error = OperationalError("couldn't get a connection after 10.00 sec")
    crossing_error.__cause__ = PoolTimeout("couldn't get a connection after 10.00 sec")
    crossing_fails(crossing_error)
    communicator, channel = await _session(author_cookie)
    answer = await call(communicator, channel, QUERY)
    assert answer["id"] == "q1"
    assert answer["error"]["data"]["code"] == "SERVICE_UNAVAILABLE"
    await communicator.disconnect()


async def test_any_other_crossing_failure_is_an_internal_error_in_the_trpc_envelope(
    author_cookie, crossing_fails
):
    crossing_fails(RuntimeError("database password is hunter2"))
    communicator, channel = await _session(author_cookie)
    await communicator.send_json_to(
        {"type": "publish", "id": "p", "channel": channel, "events": [json.dumps(QUERY)]}
    )
    assert (await communicator.receive_json_from())["type"] == "publish_success"
    frame = await communicator.receive_json_from()
    expected = trpc.ws_answer(
        "q1", trpc.TrpcError("INTERNAL_SERVER_ERROR", "Internal server error"), uses_superjson=False
    )
    assert frame["event"] == trpc.dumps(expected).decode()
    assert "hunter2" not in frame["event"]
    await communicator.disconnect()
