"""Headless Chromium (Debian's package, driven by Playwright) and signed-in browser contexts."""

import json
import os
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from tests.e2e.site import DEMO_PASSWORD

CHROMIUM = os.environ.get("INKWELL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 375, "height": 812}
STEP_TIMEOUT_MS = 15_000


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def signed_in_state(browser: Browser, base_url: str, email: str, path: Path) -> Path:
    """The cookies of ``email``'s signed-in browser, saved to ``path`` for new contexts."""
    context = browser.new_context(base_url=base_url)
    try:
        sign_in(context.new_page(), base_url, email)
        context.storage_state(path=path)
    finally:
        context.close()
    return path


def new_context(
    browser: Browser,
    base_url: str,
    *,
    storage_state: Path | None = None,
    javascript: bool = True,
    viewport: dict | None = None,
) -> BrowserContext:
    context = browser.new_context(
        base_url=base_url,
        storage_state=storage_state,
        java_script_enabled=javascript,
        viewport=viewport or DESKTOP,
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    return context


def wait_until_live(page: Page, timeout_ms: float = STEP_TIMEOUT_MS) -> None:
    """Wait for live.js to hold a session and its subscriptions (body[data-live=ready])."""
    # A selector, not wait_for_function: that evaluates a string, which the site's CSP refuses.
    page.locator("body[data-live='ready']").wait_for(state="attached", timeout=timeout_ms)


class Traffic:
    """What a page sent: WebSocket frames (text) and form POSTs, from the moment it is watched."""

    def __init__(self, page: Page) -> None:
        self.frames_sent: list[str] = []
        self.frames_received: list[str] = []
        self.posts: list[str] = []
        page.on("websocket", self._watch_socket)
        page.on("request", self._watch_request)

    def _watch_socket(self, socket) -> None:
        socket.on("framesent", lambda payload: self.frames_sent.append(str(payload)))
        socket.on("framereceived", lambda payload: self.frames_received.append(str(payload)))

    def procedures_called(self) -> list[str]:
        """Paths of the procedure calls published on the session channel, unchunked ones."""
        paths = []
        for text in self.frames_sent:
            frame = json.loads(text)
            if frame.get("type") != "publish" or not frame["channel"].startswith("/trpc/"):
                continue
            for event in map(json.loads, frame["events"]):
                if isinstance(event, dict) and "params" in event:
                    paths.append(event["params"]["path"])
        return paths

    def chunks(self, direction: str) -> list[dict]:
        """Chunk envelopes ``sent`` or ``received`` over the socket."""
        texts = self.frames_sent if direction == "sent" else self.frames_received
        found = []
        for text in texts:
            frame = json.loads(text)
            events = frame.get("events", []) if direction == "sent" else [frame.get("event")]
            for event in filter(None, events):
                data = json.loads(event)
                if isinstance(data, dict) and data.get("type") == "chunk":
                    found.append(data)
        return found

    def _watch_request(self, request) -> None:
        if request.method == "POST":
            self.posts.append(request.url)
