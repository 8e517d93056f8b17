"""A visitor signs up through the pages, signs out, and signs in again (local provider)."""

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_visitor_signs_up_signs_out_and_signs_in_again(open_page):
    page = open_page()
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name").fill("Nora Newcomer")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password (again)").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("link", name="Nora Newcomer")).to_be_visible()
    expect(page.locator("#live-status")).to_have_text("Live")  # the socket took the new session
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a wrong passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("password", re.IGNORECASE))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Nora Newcomer")).to_be_visible()


def test_signing_up_twice_with_one_address_is_refused_on_the_form(open_page):
    page = open_page()
    page.goto("/sign-up/")
    page.get_by_label("Email").fill("writer0@demo.inkwell.example")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password (again)").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
