"""A writer looks after their own account in Chromium: changes the password (their other
browser is signed out), uploads an avatar and sees it, downloads everything they wrote, and
deletes the account, while a reader's live home page drops their post."""

import uuid
import zipfile

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e import browser as chromium
from tests.e2e.site import OTHER_WRITER
from tests.e2e.test_accessibility import PROBLEMS

SELF_SERVICE_PAGES = ["/profile/", "/profile/password/", "/profile/email/", "/profile/delete/"]

pytestmark = pytest.mark.e2e

PASSWORD = "the first long passphrase"
NEW_PASSWORD = "a second, longer passphrase"


def _photo(path) -> str:
    Image.new("RGB", (640, 400), (20, 120, 200)).save(path, format="JPEG")
    return str(path)


def test_a_writer_changes_password_uploads_avatar_exports_and_deletes_the_account(
    open_page, live_site, tmp_path
):
    email = f"leaving-{uuid.uuid4().hex[:8]}@example.com"
    live_site.manage("create_user", email, "--name", "Lee Leaving", "--password", PASSWORD)
    title = f"Farewell post {uuid.uuid4().hex[:6]}"
    live_site.publish_post(author=email, title=title)
    page, other_browser, reader = open_page(), open_page(), open_page(OTHER_WRITER)
    for browser_page in (page, other_browser):
        chromium.sign_in(browser_page, live_site.url, email, PASSWORD)

    # Each page passes the site's accessibility smoke check (labels, landmarks, one h1…).
    for path in SELF_SERVICE_PAGES:
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate(PROBLEMS) == [], path

    # The password: this browser stays signed in, the other one is signed out.
    page.goto("/profile/")
    page.get_by_role("link", name="Password").click()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".messages")).to_contain_text("Your password is changed")
    other_browser.goto("/profile/")
    expect(other_browser.get_by_role("heading", level=1)).to_have_text("Sign in")

    # The avatar: uploaded, cropped to a square, shown.
    page.get_by_label("Avatar", exact=True).set_input_files(_photo(tmp_path / "me.jpg"))
    page.get_by_role("button", name="Save").click()
    avatar = page.get_by_role("img", name="Your avatar")
    expect(avatar).to_be_visible()
    expect(avatar).to_have_js_property("naturalWidth", 256)
    expect(avatar).to_have_js_property("naturalHeight", 256)

    # The export, then the deletion, seen live by a reader on the home page.
    reader.goto("/")
    chromium.wait_until_live(reader)
    expect(reader.get_by_role("link", name=title)).to_be_visible()
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_text("1 published post")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data (zip)").click()
    archive = zipfile.ZipFile(download.value.path())
    (post_file,) = [name for name in archive.namelist() if name.startswith("posts/")]
    assert f"title: {title}" in archive.read(post_file).decode()

    page.get_by_label("Type your email address to confirm").fill("not-" + email)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("Type your email address exactly")
    page.get_by_label("Type your email address to confirm").fill(email)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".messages")).to_contain_text("Your account and everything you wrote")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(reader.get_by_role("link", name=title)).to_have_count(0)
