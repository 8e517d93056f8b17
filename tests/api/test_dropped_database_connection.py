"""A pooled connection that PostgreSQL closed (a restart, a failover) fails the call as
SERVICE_UNAVAILABLE with Retry-After, over HTTP and the socket alike, never as an internal error:
the pool replaces the connection by itself, so the next try is served."""

import psycopg
import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from rest_framework.authentication import SessionAuthentication

from realtime.session_channel import answer_call

pytestmark = pytest.mark.django_db

CLOSED = "terminating connection due to administrator command"


def _connection_closed_by_postgresql(*args, **kwargs):
    """What Django raises when a query runs on a connection PostgreSQL shut down."""
    cause = psycopg.errors.AdminShutdown(CLOSED)
    raise OperationalError(str(cause)) from cause


@pytest.fixture
def connection_closed(monkeypatch):
    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", _connection_closed_by_postgresql)


def test_a_closed_connection_inside_a_procedure_is_service_unavailable(trpc, connection_closed):
    answer = trpc.query("post.list")
    assert answer.status == 503
    assert answer.code == "SERVICE_UNAVAILABLE"
    assert int(answer.headers["Retry-After"]) > 0
    assert CLOSED not in answer.error["message"]


def test_a_closed_connection_inside_a_socket_call_is_service_unavailable(author, monkeypatch):
    call = {"id": 4, "method": "query", "params": {"path": "post.list"}}
    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", _connection_closed_by_postgresql)
    answer = answer_call(call, user=author)
    assert answer["error"]["data"]["code"] == "SERVICE_UNAVAILABLE"
    assert answer["error"]["data"]["httpStatus"] == 503


def test_a_closed_connection_while_signing_the_caller_in_is_a_trpc_503(
    as_user, author, monkeypatch
):
    caller = as_user(author)
    monkeypatch.setattr(SessionAuthentication, "authenticate", _connection_closed_by_postgresql)
    answer = caller.query("post.list")
    assert answer.status == 503
    assert answer.code == "SERVICE_UNAVAILABLE"  # the tRPC envelope, not the HTML busy page
    assert int(answer.headers["Retry-After"]) > 0


def test_a_database_error_not_from_postgresql_stays_an_internal_error(trpc, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: blog_post")  # a bug, not an outage

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", broken)
    answer = trpc.query("post.list")
    assert answer.status == 500
    assert answer.code == "INTERNAL_SERVER_ERROR"
