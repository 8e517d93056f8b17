"""A database pool with no connection to spare, or a service that cannot serve now, is
SERVICE_UNAVAILABLE with Retry-After, never an internal error; a service's rate refusal is
TOO_MANY_REQUESTS. The same table answers over HTTP and the socket."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg_pool import PoolTimeout
from rest_framework.authentication import SessionAuthentication

from api import registry
from api.registry import PUBLIC, QUERY, procedure
from blog.serializers import PostDeleteOutput
from lib.errors import ServiceUnavailable, TooManyRequests
from realtime.session_channel import answer_call

pytestmark = pytest.mark.django_db


def _pool_is_empty(*args, **kwargs):
    """What Django raises when psycopg's pool gives no connection in time."""
    try:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")
    except PoolTimeout as timeout:
        raise OperationalError(str(timeout)) from timeout


@pytest.fixture
def pool_is_empty(monkeypatch):
    """A context in which every query finds the pool empty."""

    @contextmanager
    def empty() -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(BaseDatabaseWrapper, "ensure_connection", _pool_is_empty)
            yield

    return empty


@pytest.fixture
def raising():
    """Registers ``test.raises``, a query that raises the given service error."""
    raised: list[Exception] = []

    @procedure("test.raises", kind=QUERY, input=None, output=PostDeleteOutput, access=PUBLIC)
    def raises(ctx, data):
        """Fails the way a service may."""
        raise raised[0]

    yield raised.append
    registry._procedures.pop("test.raises")


def test_an_empty_pool_inside_a_procedure_is_service_unavailable(trpc, pool_is_empty):
    with pool_is_empty():
        answer = trpc.query("post.list")
    assert answer.status == 503
    assert answer.code == "SERVICE_UNAVAILABLE"
    assert answer.error["code"] == -32603
    assert int(answer.headers["Retry-After"]) > 0
    assert "10.00 sec" not in answer.error["message"]


def test_an_empty_pool_inside_a_socket_call_is_service_unavailable(author, pool_is_empty):
    call = {"id": 3, "method": "query", "params": {"path": "post.list"}}
    with pool_is_empty():
        answer = answer_call(call, user=author)
    assert answer["id"] == 3
    assert answer["error"]["data"]["code"] == "SERVICE_UNAVAILABLE"
    assert answer["error"]["data"]["httpStatus"] == 503


def test_an_empty_pool_while_signing_the_caller_in_is_service_unavailable(
    as_user, author, monkeypatch
):
    caller = as_user(author)
    monkeypatch.setattr(SessionAuthentication, "authenticate", _pool_is_empty)
    answer = caller.query("post.list")
    assert answer.status == 503
    assert answer.code == "SERVICE_UNAVAILABLE"
    assert int(answer.headers["Retry-After"]) > 0


def test_a_service_that_cannot_serve_now_is_503_with_its_retry_after(trpc, raising):
    raising(ServiceUnavailable("The search index is rebuilding.", retry_after=30))
    answer = trpc.query("test.raises")
    assert answer.status == 503
    assert answer.code == "SERVICE_UNAVAILABLE"
    assert answer.error["message"] == "The search index is rebuilding."
    assert answer.headers["Retry-After"] == "30"


def test_a_service_s_rate_refusal_is_429_with_its_retry_after(trpc, raising):
    raising(TooManyRequests(retry_after=12))
    answer = trpc.query("test.raises")
    assert answer.status == 429
    assert answer.code == "TOO_MANY_REQUESTS"
    assert answer.headers["Retry-After"] == "12"


def test_a_service_error_without_retry_after_sends_no_header(trpc, raising):
    raising(ServiceUnavailable())
    answer = trpc.query("test.raises")
    assert answer.status == 503
    assert "Retry-After" not in answer.headers
