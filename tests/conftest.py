"""The standing cast (author, reader, stranger, editor) and the suite's shared switches."""

import os

import pytest

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files collected at build time; tests render without collecting.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
