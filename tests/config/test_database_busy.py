"""An exhausted connection pool (or a refusing PostgreSQL) during a page is a 503 with
Retry-After and the static busy page, never a 500."""

import psycopg
import psycopg_pool
import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db


def fail_queries_with(monkeypatch, cause: Exception) -> None:
    def refuse(*args, **kwargs):
        # As Django's DatabaseErrorWrapper raises it: django's error from the driver's.
        raise OperationalError(str(cause)) from cause

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", refuse)


def test_a_pool_timeout_on_a_page_is_a_503_with_retry_after(production_client, monkeypatch):
    fail_queries_with(
        monkeypatch, psycopg_pool.PoolTimeout("couldn't get a connection after 10.00 sec")
    )
    response = production_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Too busy right now" in response.content.decode()
    assert "10.00 sec" not in response.content.decode()


def test_a_refusing_postgresql_on_a_page_is_a_503(production_client, monkeypatch):
    fail_queries_with(monkeypatch, psycopg.OperationalError("connection refused"))
    response = production_client.get("/")
    assert response.status_code == 503


def test_other_database_errors_stay_500(production_client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: blog_post")

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", broken)
    assert production_client.get("/").status_code == 500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_exhausted_pool_answers_503(production_client, settings):
    from django.db import connections

    # DATABASE_URL always configures psycopg's pool (config/settings.py).
    assert "pool" in settings.DATABASES["default"]["OPTIONS"]
    connections["default"].close()  # gives this thread's connection back to the pool
    pool = connections["default"].pool
    held = [pool.getconn(timeout=5) for _ in range(pool.max_size)]
    original_timeout = pool.timeout
    pool.timeout = 0.5
    try:
        response = production_client.get("/")
    finally:
        pool.timeout = original_timeout
        for connection in held:
            pool.putconn(connection)
    assert response.status_code == 503
