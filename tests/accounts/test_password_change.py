"""Changing one's password in the browser: this browser stays signed in; other browsers,
refresh tokens and tokens issued before the change stop working. Wrong input changes nothing."""

import time
from unittest import mock

import pytest
from django.test import Client

from accounts.models import User
from accounts.providers import local
from tests.conftest import PASSWORD

NEW_PASSWORD = "a much longer passphrase 42"


def _change(client: Client, current: str = PASSWORD, new: str = NEW_PASSWORD, again: str = ""):
    return client.post(
        "/profile/password/",
        {
            "current_password": current,
            "new_password": new,
            "new_password_again": again or new,
        },
    )


def _signed_in(user: User) -> Client:
    other = Client()
    other.force_login(user)
    return other


@pytest.mark.django_db
def test_password_change_keeps_this_browser_and_signs_out_the_others(client, author):
    client.force_login(author)
    other_browser = _signed_in(author)

    answer = _change(client)

    assert answer.status_code == 302
    assert answer["Location"] == "/profile/"
    stored = User.objects.get(pk=author.pk)
    assert stored.check_password(NEW_PASSWORD)
    assert stored.credentials_changed_at is not None
    assert client.get("/profile/").status_code == 200
    assert other_browser.get("/profile/")["Location"].startswith("/sign-in/")


@pytest.mark.django_db
def test_new_password_signs_in_and_the_old_one_does_not(client, author):
    client.force_login(author)
    _change(client)

    def token_status(password: str) -> int:
        body = {"email": author.email, "password": password}
        return Client().post("/auth/token", body, content_type="application/json").status_code

    assert (token_status(PASSWORD), token_status(NEW_PASSWORD)) == (401, 200)


@pytest.mark.django_db
def test_refresh_tokens_from_before_the_change_are_revoked(client, author):
    refresh_token = local.sign_in(email=author.email, password=PASSWORD)["RefreshToken"]
    client.force_login(author)

    _change(client)

    answer = Client().post(
        "/auth/token/refresh", {"refreshToken": refresh_token}, content_type="application/json"
    )
    assert answer.status_code == 401
    assert "revoked" in answer.json()["message"]


@pytest.mark.django_db
def test_tokens_issued_before_the_change_are_refused_and_new_ones_accepted(client, author):
    # Issued two seconds earlier: the change refuses tokens from before its own second.
    with mock.patch("accounts.providers.local.time.time", return_value=time.time() - 2):
        old_token = local.issue_token(user=author, kind="access")
    client.force_login(author)

    _change(client)

    refused = Client().get("/api/trpc/user.me", HTTP_AUTHORIZATION=f"Bearer {old_token}")
    assert refused.status_code == 401
    page_token = client.get("/auth/session-token").json()["token"]
    accepted = Client().get("/api/trpc/user.me", HTTP_AUTHORIZATION=f"Bearer {page_token}")
    assert accepted.status_code == 200


@pytest.mark.django_db
def test_wrong_current_password_is_a_field_error_and_changes_nothing(client, author):
    client.force_login(author)
    other_browser = _signed_in(author)
    hash_before = User.objects.get(pk=author.pk).password

    answer = _change(client, current="not my password")

    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "current_password": ["Your current password is wrong."]
    }
    stored = User.objects.get(pk=author.pk)
    assert (stored.password, stored.credentials_changed_at) == (hash_before, None)
    assert other_browser.get("/profile/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("new", "again", "field", "message"),
    [
        ("12345678901", "", "new_password", "This password is entirely numeric."),
        ("short", "", "new_password", "This password is too short"),
        (NEW_PASSWORD, "something else entirely", "new_password_again", "differ"),
    ],
)
def test_unacceptable_new_password_is_a_field_error_and_changes_nothing(
    client, author, new, again, field, message
):
    client.force_login(author)

    answer = _change(client, new=new, again=again)

    assert answer.status_code == 200
    assert message in " ".join(answer.context["form"].errors[field])
    assert User.objects.get(pk=author.pk).check_password(PASSWORD)


@pytest.mark.django_db
def test_repeated_wrong_current_passwords_are_throttled_like_sign_ins(client, author, settings):
    settings.AUTH_THROTTLE_ACCOUNT_FAILURES = 2
    client.force_login(author)
    for _ in range(2):
        _change(client, current="guess")

    answer = _change(client)

    assert answer.status_code == 429
    assert User.objects.get(pk=author.pk).check_password(PASSWORD)


@pytest.mark.django_db
def test_password_page_needs_a_signed_in_user(client):
    answer = client.get("/profile/password/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/sign-in/")


@pytest.mark.django_db
def test_password_change_needs_the_csrf_token(author):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(author)

    answer = _change(browser)

    assert answer.status_code == 403
    assert User.objects.get(pk=author.pk).check_password(PASSWORD)
