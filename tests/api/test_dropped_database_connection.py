"""A pooled connection that PostgreSQL closed (a restart, a failover) fails the call as
SERVICE_UNAVAILABLE with Retry-After, over HTTP and the socket alike, never as an internal error:
the pool replaces the connection by itself, so the next try is served."""

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from accounts.providers import local
from api.dispatch import error_for_exception
from lib.errors import Conflict
from realtime.session_channel import answer_call

pytestmark = pytest.mark.django_db

CLOSED = "terminating connection due to administrator command"


def _connection_closed_by_postgresql(*args, **kwargs):
    """What Django raises when a query runs on a connection PostgreSQL shut down."""
    cause = psycopg.errors.AdminShutdown(CLOSED)
    raise OperationalError(str(cause)) from cause


@contextmanager
def closed_connection() -> Iterator[None]:
    """Every query in the block meets a connection PostgreSQL closed."""
    original = CursorWrapper._execute_with_wrappers
    CursorWrapper._execute_with_wrappers = _connection_closed_by_postgresql
    try:
        yield
    finally:
        CursorWrapper._execute_with_wrappers = original


def test_a_closed_connection_inside_a_procedure_is_service_unavailable(trpc):
    with closed_connection():
        answer = trpc.query("post.list")
    assert answer.status == 503
    assert answer.code == "SERVICE_UNAVAILABLE"
    assert int(answer.headers["Retry-After"]) > 0
    assert CLOSED not in answer.error["message"]


def test_a_closed_connection_inside_a_socket_call_is_service_unavailable(author):
    with closed_connection():
        answer = answer_call(
            {"id": 4, "method": "query", "params": {"path": "post.list"}}, user=author
        )
    assert answer["error"]["data"]["code"] == "SERVICE_UNAVAILABLE"
    assert answer["error"]["data"]["httpStatus"] == 503


def test_a_closed_connection_while_checking_a_bearer_token_is_a_trpc_503(trpc, author):
    token = local.issue_token(user=author, kind="access")
    with closed_connection():
        answer = trpc.query("user.me", headers={"Authorization": f"Bearer {token}"})
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


def test_an_error_raised_from_none_while_handling_an_outage_keeps_its_own_meaning():
    try:
        try:
            _connection_closed_by_postgresql()
        except OperationalError:
            raise Conflict("Not this way.") from None
    except Conflict as error:
        refused = error_for_exception(error, "post.create")
    assert refused.code == "CONFLICT"
    try:
        try:
            _connection_closed_by_postgresql()
        except OperationalError:
            raise RuntimeError("wrapped")  # noqa: B904 (the context is the point)
    except RuntimeError as error:
        assert error_for_exception(error, "post.create").code == "SERVICE_UNAVAILABLE"
