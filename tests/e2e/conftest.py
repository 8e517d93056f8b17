"""One live site and one Chromium for the browser tests; signed-in pages made on demand."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e import browser as chromium
from tests.e2e.site import LiveSite


@pytest.fixture(autouse=True)
def _test_settings():
    # Replaces the suite-wide fixture: these tests touch no database or cache of their own, and
    # clearing the cache would flush the Redis database the live server shares (REDIS_URL).
    yield


# Live updates cross two processes and a socket; a slow CI machine gets more than the default 5 s.
expect.set_options(timeout=chromium.STEP_TIMEOUT_MS)


@pytest.fixture(scope="package")
def live_site(tmp_path_factory) -> Iterator[LiveSite]:
    site = LiveSite(tmp_path_factory.mktemp("e2e-site"))
    site.server.start()
    try:
        yield site
    finally:
        site.server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="package")
def signed_in(browser, live_site, tmp_path_factory) -> Callable[[str], Path]:
    """The saved cookies of a user signed in through the pages (once per user)."""
    states: dict[str, Path] = {}
    folder = tmp_path_factory.mktemp("signed-in")

    def state(email: str) -> Path:
        if email not in states:
            path = folder / f"{email}.json"
            states[email] = chromium.signed_in_state(browser, live_site.url, email, path)
        return states[email]

    return state


@pytest.fixture
def open_page(browser, live_site, signed_in) -> Iterator[Callable[..., Page]]:
    """New pages in their own contexts (a user each, or anonymous); fails on uncaught JS errors."""
    contexts = []
    errors: list[str] = []

    def open_page(
        as_user: str | None = None, *, javascript: bool = True, viewport: dict | None = None
    ) -> Page:
        context = chromium.new_context(
            browser,
            live_site.url,
            storage_state=signed_in(as_user) if as_user else None,
            javascript=javascript,
            viewport=viewport,
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"Uncaught errors in the page: {errors}"
