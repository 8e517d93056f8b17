"""The standing cast (author, reader, stranger, editor) and the suite's shared switches."""

import os

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Production serves hashed files collected at build time; tests serve them from static/.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    # A deliberately slow password hash is the point in production and a waste in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters and cached keys live in the cache: every test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def author(db):
    return UserFactory(email="author@example.com", name="Ada Author")


@pytest.fixture
def reader(db):
    return UserFactory(email="reader@example.com", name="Rey Reader")


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@example.com", name="Sam Stranger")


@pytest.fixture
def editor(db):
    return UserFactory(
        email="editor@example.com", name="Eddie Editor", is_staff=True, is_superuser=True
    )


def pytest_collection_modifyitems(config, items):
    """In CI, a test that needs PostgreSQL or Redis must run, never skip (see .ci/run)."""
    uses_postgres = bool(os.environ.get("DATABASE_URL"))
    uses_redis = bool(os.environ.get("REDIS_URL"))
    needs_postgres = pytest.mark.skipif(not uses_postgres, reason="needs PostgreSQL: DATABASE_URL")
    needs_redis = pytest.mark.skipif(not uses_redis, reason="needs Redis: REDIS_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(needs_postgres)
        if "redis" in item.keywords:
            item.add_marker(needs_redis)


def pytest_sessionfinish(session, exitstatus):
    """Where services are required (CI), any skipped test fails the run."""
    if os.environ.get("INKWELL_REQUIRE_SERVICES") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"{len(skipped)} test(s) skipped while services are required.", red=True
        )
        session.exitstatus = 1
