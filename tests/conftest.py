"""The standing cast (author, reader, stranger, editor) and the suite's shared switches."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

# Fixtures kept beside the helpers they use.
pytest_plugins = ["tests.comment_chains"]

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
    # The relay's sweeper would outlive each test's event loop; its tests start it themselves.
    settings.REALTIME_RELAY_SWEEP_MS = 0
    # Tests of comments are about comments, not about a new account's first one waiting for a
    # moderator: tests of holding (tests/moderation/test_held_comments.py) turn it on.
    settings.MODERATION_HOLD_FIRST_COMMENTS = 0
    # Nor about the spam checks (every test account is minutes old, and a test may comment
    # faster than a person): tests/blog/test_spam_checks.py turns them on.
    settings.SPAM_CHECKERS = []
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
    """Tests needing a service or a tool skip without it; in CI any skip fails (see below)."""
    from tests.e2e.browser import CHROMIUM

    conditions = {
        "postgres": (not os.environ.get("DATABASE_URL"), "needs PostgreSQL: DATABASE_URL"),
        "redis": (not os.environ.get("REDIS_URL"), "needs Redis: REDIS_URL"),
        "e2e": (not Path(CHROMIUM).exists(), f"needs Chromium at {CHROMIUM}"),
        "node": (not (shutil.which("node") and shutil.which("npm")), "needs Node 20 and npm"),
    }
    for item in items:
        for marker, (missing, reason) in conditions.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skipif(missing, reason=reason))


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
