"""The database pool's figures are read at scrape time on PostgreSQL; SQLite has no pool and
reports none."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_pool_is_reported_exactly_when_the_database_has_one(scrape, django_user_model):
    django_user_model.objects.count()  # this thread now holds a connection
    pool_options = connection.settings_dict["OPTIONS"].get("pool")

    scraped = scrape()

    if connection.vendor != "postgresql":
        assert "inkwell_db_pool" not in scraped.text
        return
    assert (
        scraped.value("inkwell_db_pool_max_connections", database="default")
        == (pool_options["max_size"])
    )
    assert scraped.value("inkwell_db_pool_connections", database="default", state="in_use") >= 1
    assert scraped.value("inkwell_db_pool_requests_total", database="default") >= 1
    assert scraped.value("inkwell_db_pool_waiting_requests", database="default") == 0
    assert ("inkwell_db_pool_request_errors_total", frozenset({("database", "default")})) in (
        scraped.samples
    )


@pytest.mark.postgres
def test_the_metrics_leave_the_site_on_its_own_database(django_user_model):
    # Registering the pool collector at import once created Django's pool with the database
    # settings of that moment: a test run then wrote to the real database, not the test one.
    django_user_model.objects.count()

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (name,) = cursor.fetchone()

    assert name == connection.settings_dict["NAME"]
    assert name.startswith("test_")
