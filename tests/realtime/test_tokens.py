"""Signing a socket in with real RS256 JWTs: where the token may travel, per-operation
identities, and every way a token can be refused."""

import json
import time
import uuid

import jwt
import pytest
from channels.db import database_sync_to_async
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts import keys
from tests.realtime.conftest import (
    bearer,
    call,
    connect,
    header_subprotocol,
    init_with_token,
    publish,
    subscribe,
    token_for,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ME = {"id": "me", "method": "query", "params": {"path": "user.me"}}


async def _open_session(communicator, **extra) -> str:
    """The session request with the given operation ``authorization``; the channel."""
    request_channel = f"/trpc/session-request-{uuid.uuid4().hex[:8]}"
    op = uuid.uuid4().hex[:6]
    assert (await subscribe(communicator, request_channel, f"r{op}", **extra))["type"] == (
        "subscribe_success"
    )
    request = {"type": "session.request", "clientUuid": str(uuid.uuid4())}
    assert (await publish(communicator, request_channel, request, op_id=f"p{op}", **extra))[
        "successful"
    ]
    session_id = json.loads((await communicator.receive_json_from())["event"])["sessionId"]
    return f"/trpc/{session_id}"


@pytest.mark.parametrize("kind", ["access", "id"])
async def test_a_token_in_the_header_subprotocol_signs_the_connection_in(author, kind):
    token = await database_sync_to_async(token_for)(author, kind)
    communicator = await connect(
        subprotocols=[
            "aws-appsync-event-ws",
            header_subprotocol({"Authorization": token, "host": "localhost"}),
        ],
        origin=None,
    )
    channel = await _open_session(communicator)
    assert (await subscribe(communicator, channel, "calls"))["type"] == "subscribe_success"
    answer = await call(communicator, channel, ME)
    assert answer["result"]["data"]["email"] == "author@example.com"
    await communicator.disconnect()


async def test_a_plain_authorization_upgrade_header_signs_the_connection_in(author_token):
    communicator = await connect(
        headers=[(b"authorization", f"Bearer {author_token}".encode())], origin=None
    )
    channel = await _open_session(communicator)
    await subscribe(communicator, channel, "calls")
    assert (await call(communicator, channel, ME))["result"]["data"]["email"] == (
        "author@example.com"
    )
    await communicator.disconnect()


async def test_an_operations_token_overrides_the_connections(author_token, stranger_token):
    communicator = await connect(
        subprotocols=["aws-appsync-event-ws", header_subprotocol({"Authorization": author_token})],
        origin=None,
    )
    authors_channel = await _open_session(communicator)
    # The stranger's token on the operation: the author's session is not theirs.
    refused = await subscribe(
        communicator, authors_channel, "x", authorization=bearer(stranger_token)
    )
    assert refused["type"] == "subscribe_error"
    assert refused["errors"][0]["errorType"] == "UnauthorizedException"
    strangers_channel = await _open_session(communicator, authorization=bearer(stranger_token))
    answer = await subscribe(
        communicator, strangers_channel, "theirs", authorization=bearer(stranger_token)
    )
    assert answer["type"] == "subscribe_success"
    await communicator.disconnect()


async def test_two_identities_on_one_socket_keep_their_own_channels(author_token, stranger_token):
    communicator = await connect(origin=None)
    as_author = {"authorization": bearer(author_token)}
    as_stranger = {"authorization": bearer(stranger_token)}
    authors = await _open_session(communicator, **as_author)
    strangers = await _open_session(communicator, **as_stranger)
    assert (await subscribe(communicator, authors, "a", **as_author))["type"] == "subscribe_success"
    assert (await subscribe(communicator, strangers, "s", **as_stranger))["type"] == (
        "subscribe_success"
    )
    # Each identity's calls run as that identity, and only its own subscription hears them.
    for channel, sub_id, extra, email in (
        (authors, "a", as_author, "author@example.com"),
        (strangers, "s", as_stranger, "stranger@example.com"),
    ):
        assert (await publish(communicator, channel, ME, op_id="q", **extra))["successful"]
        frame = await communicator.receive_json_from()
        assert frame["id"] == sub_id
        assert json.loads(frame["event"])["result"]["data"]["email"] == email
        assert await communicator.receive_nothing()
    # Neither may use the other's channel, whatever the socket already holds.
    for channel, extra in ((authors, as_stranger), (strangers, as_author)):
        refused = await publish(communicator, channel, ME, op_id="cross", **extra)
        assert refused["type"] == "publish_error"
        assert refused["errors"][0]["errorType"] == "UnauthorizedException"
        refused = await subscribe(communicator, channel, "cross", **extra)
        assert refused["errors"][0]["errorType"] == "UnauthorizedException"
    # Without any token, the socket has no identity at all (no Origin, so no cookie either).
    anonymous = await subscribe(communicator, "/subscriptions/posts", "anon")
    assert anonymous["errors"][0]["errorType"] == "UnauthorizedException"
    await communicator.disconnect()


def _expired(user) -> str:
    return token_for(user, ttl=-3600)


def _wrong_key(user) -> str:
    """Signed by another key under the site's own kid: the signature check must catch it."""
    claims = jwt.decode(token_for(user), options={"verify_signature": False})
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, forger, algorithm="RS256", headers={"kid": keys.signing_key().kid})


def _unknown_key(user) -> str:
    claims = jwt.decode(token_for(user), options={"verify_signature": False})
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, forger, algorithm="RS256", headers={"kid": "someone-else"})


def _hs256(user) -> str:
    claims = {"sub": str(user.id), "exp": int(time.time()) + 60, "token_use": "access"}
    return jwt.encode(
        claims, "a-shared-secret-anyone-could-hold!", algorithm="HS256", headers={"kid": "x"}
    )


BAD_TOKENS = {
    "expired": _expired,
    "wrong-key": _wrong_key,
    "unknown-key": _unknown_key,
    "hs256": _hs256,
    "garbage": lambda user: "not-a-jwt",
    "jwt-shaped-garbage": lambda user: "abc.def.ghi",
}


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
async def test_a_bad_token_is_unauthorized_on_connection_init(author, make_token):
    token = await database_sync_to_async(make_token)(author)
    communicator, answer = await init_with_token(token, origin=None)
    assert answer["type"] == "connection_error"
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    assert answer["errors"][0]["errorCode"] == 401
    assert (await communicator.receive_output())["type"] == "websocket.close"


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
async def test_a_bad_operation_token_is_unauthorized_even_with_a_good_session(
    author, author_cookie, make_token
):
    token = await database_sync_to_async(make_token)(author)
    communicator = await connect(author_cookie)
    extra = {"authorization": bearer(token)}
    answer = await subscribe(communicator, "/subscriptions/posts", "s", **extra)
    assert answer["type"] == "subscribe_error"
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    answer = await publish(communicator, "/trpc/session-request-1", {"type": "x"}, **extra)
    assert answer["type"] == "publish_error"
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    # The cookie alone still works for operations without their own token.
    assert (await subscribe(communicator, "/subscriptions/posts", "ok"))["type"] == (
        "subscribe_success"
    )
    await communicator.disconnect()


@pytest.fixture
def cognito_unreachable(settings):
    """Cognito as the provider, its JWKS at a port nobody listens on."""
    settings.AUTH_PROVIDER = "cognito"
    settings.COGNITO_AWS_REGION = "eu-west-1"
    settings.COGNITO_USER_POOL = "eu-west-1_Inkwell"
    settings.COGNITO_APP_CLIENT_ID = "inkwell"
    settings.COGNITO_ENDPOINT_URL = "http://127.0.0.1:9"
    settings.JWKS_FETCH_TIMEOUT_SECONDS = 1


async def test_an_unavailable_identity_provider_is_an_internal_failure_and_the_socket_stays(
    author, cognito_unreachable
):
    token = await database_sync_to_async(_unknown_key)(author)
    communicator, answer = await init_with_token(token, origin=None)
    assert answer["type"] == "connection_error"
    assert answer["errors"][0]["errorType"] == "InternalFailureException"
    assert "try again" in answer["errors"][0]["message"]
    answer = await subscribe(communicator, "/subscriptions/posts", "s")
    assert answer["type"] == "subscribe_error"
    assert answer["errors"][0]["errorType"] == "InternalFailureException"
    answer = await publish(communicator, "/trpc/session-request-1", {"type": "x"})
    assert answer["type"] == "publish_error"
    assert answer["errors"][0]["errorType"] == "InternalFailureException"
    await communicator.send_json_to({"type": "unsubscribe", "id": "none"})
    assert (await communicator.receive_json_from())["type"] == "unsubscribe_error"
    await communicator.disconnect()
