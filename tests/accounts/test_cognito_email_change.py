"""Changing the email address with the Cognito provider, on moto: the pool checks the current
password, the site's own link proves the new address, and the pool then holds it, verified
(AdminUpdateUserAttributes); a wrong password or an unreachable pool changes nothing."""

import re
from urllib.parse import unquote

import pytest
from django.test import Client

from accounts.models import User
from tests.live_server import free_port
from tests.mail_outbox import deliver_queued

PASSWORD = "Sturdy-Passw0rd!"


def _signed_in(pool) -> tuple[Client, str]:
    sub = pool.confirmed_user("ada@example.com", PASSWORD)
    browser = Client()
    assert browser.post("/sign-in/", {"email": "ada@example.com", "password": PASSWORD})
    return browser, sub


def _ask(browser: Client, password: str = PASSWORD):
    return browser.post(
        "/profile/email/", {"email": "ada@new.example", "current_password": password}
    )


def _link_token() -> str:
    (sent,) = deliver_queued()
    assert sent.to == ["ada@new.example"]
    return unquote(re.search(r"/profile/email/confirm/\?token=(\S+)", sent.body).group(1))


def _pool_email(pool, sub: str) -> dict[str, str | None]:
    answer = pool.client.admin_get_user(UserPoolId=pool.pool_id, Username=sub)
    attributes = {item["Name"]: item["Value"] for item in answer["UserAttributes"]}
    return {name: attributes.get(name) for name in ("email", "email_verified")}


@pytest.mark.django_db
def test_the_link_changes_the_address_in_the_pool_and_here(cognito_pool):
    browser, sub = _signed_in(cognito_pool)
    assert "/profile/email/" in browser.get("/profile/").content.decode()

    asked = _ask(browser)
    token = _link_token()
    assert _pool_email(cognito_pool, sub)["email"] == "ada@example.com"  # not before the link
    confirmed = browser.post("/profile/email/confirm/", {"token": token})

    assert asked["Location"] == confirmed["Location"] == "/profile/"
    assert _pool_email(cognito_pool, sub) == {"email": "ada@new.example", "email_verified": "true"}
    changed = User.objects.get(cognito_sub=sub)
    assert changed.email == "ada@new.example"
    assert changed.email_confirmed_at is not None
    # The new address signs in, to the same account; the old one no longer does.
    again = Client()
    new_sign_in = again.post("/sign-in/", {"email": "ada@new.example", "password": PASSWORD})
    old_sign_in = Client().post("/sign-in/", {"email": "ada@example.com", "password": PASSWORD})
    assert new_sign_in.status_code == 302
    assert "ada@new.example" in again.get("/profile/").content.decode()
    assert old_sign_in.status_code == 200
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_wrong_current_password_is_refused_by_the_pool_and_sends_nothing(cognito_pool):
    browser, sub = _signed_in(cognito_pool)

    answer = _ask(browser, password="Not-The-Passw0rd!")

    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "current_password": ["Your current password is wrong."]
    }
    assert deliver_queued() == []
    assert _pool_email(cognito_pool, sub)["email"] == "ada@example.com"
    assert User.objects.get(cognito_sub=sub).email == "ada@example.com"


@pytest.mark.django_db
def test_an_address_taken_in_the_pool_is_refused_and_changes_nothing(cognito_pool):
    browser, sub = _signed_in(cognito_pool)
    _ask(browser)
    # Someone signs up at the pool with the address meanwhile, not yet seen by this site.
    cognito_pool.confirmed_user("ada@new.example", PASSWORD)

    answer = browser.post("/profile/email/confirm/", {"token": _link_token()})

    assert answer.status_code == 200
    assert "An account with this email already exists." in answer.content.decode()
    assert _pool_email(cognito_pool, sub)["email"] == "ada@example.com"
    assert User.objects.get(cognito_sub=sub).email == "ada@example.com"


@pytest.mark.django_db
def test_an_unreachable_pool_is_a_clear_error_and_changes_nothing(cognito_pool, settings):
    browser, sub = _signed_in(cognito_pool)
    _ask(browser)
    token = _link_token()
    settings.COGNITO_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    settings.COGNITO_MAX_ATTEMPTS = 1

    asked = _ask(browser)
    confirmed = browser.post("/profile/email/confirm/", {"token": token})

    assert asked.status_code == confirmed.status_code == 503
    assert "unavailable" in confirmed.content.decode()
    assert len(deliver_queued()) == 1  # only the first link was ever sent
    assert User.objects.get(cognito_sub=sub).email == "ada@example.com"
    settings.COGNITO_ENDPOINT_URL = ""
    assert _pool_email(cognito_pool, sub)["email"] == "ada@example.com"
    # The link still works once the pool is back: nothing was used up.
    assert browser.post("/profile/email/confirm/", {"token": token})["Location"] == "/profile/"
