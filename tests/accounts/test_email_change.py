"""Changing one's email address: a link goes to the new address, and the address changes only
when the same signed-in account opens it; wrong input, old, reused or foreign links change
nothing."""

import re
import time
from unittest import mock
from urllib.parse import unquote

import pytest
from django.test import Client

from accounts.email_change import confirm_email_change
from accounts.models import User
from lib.errors import InvalidInput
from tests.conftest import PASSWORD
from tests.mail_outbox import deliver_queued


def _ask(client: Client, email: str = "ada@new.example", password: str = PASSWORD):
    return client.post("/profile/email/", {"email": email, "current_password": password})


def _link_token() -> str:
    (sent,) = deliver_queued()
    return unquote(re.search(r"/profile/email/confirm/\?token=(\S+)", sent.body).group(1))


def _confirm(client: Client, token: str):
    return client.post("/profile/email/confirm/", {"token": token})


@pytest.mark.django_db
def test_the_link_sent_to_the_new_address_changes_it(client, author):
    client.force_login(author)

    asked = _ask(client, email=" Ada@New.Example ")

    assert asked["Location"] == "/profile/"
    assert deliver_queued()[0].to == ["ada@new.example"]
    assert User.objects.get(pk=author.pk).email == "author@example.com"
    token = _link_token()
    opened = client.get("/profile/email/confirm/", {"token": token})
    assert "Confirm the new address" in opened.content.decode()
    assert User.objects.get(pk=author.pk).email == "author@example.com"  # a GET changes nothing

    confirmed = _confirm(client, token)

    assert confirmed["Location"] == "/profile/"
    changed = User.objects.get(pk=author.pk)
    assert changed.email == "ada@new.example"
    assert changed.email_confirmed_at is not None  # the link reached it
    assert client.get("/profile/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("ada@new.example", "wrong", "current_password", "Your current password is wrong."),
        ("reader@example.com", PASSWORD, "email", "An account with this email already exists."),
        ("AUTHOR@example.com", PASSWORD, "email", "This is already your address."),
        ("not an address", PASSWORD, "email", "Enter a valid email address."),
    ],
)
def test_refused_requests_are_field_errors_and_send_nothing(
    client, author, reader, email, password, field, message
):
    client.force_login(author)

    answer = _ask(client, email=email, password=password)

    assert answer.status_code == 200
    assert answer.context["form"].errors == {field: [message]}
    assert deliver_queued() == []
    assert User.objects.get(pk=author.pk).email == "author@example.com"


@pytest.mark.django_db
def test_a_used_link_is_refused_the_second_time(client, author):
    client.force_login(author)
    _ask(client)
    token = _link_token()
    _confirm(client, token)
    User.objects.filter(pk=author.pk).update(email="author@example.com")  # changed back since

    answer = _confirm(client, token)

    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "token": ["This link was already used, or your account has changed since."]
    }
    assert User.objects.get(pk=author.pk).email == "author@example.com"


@pytest.mark.django_db
def test_an_expired_link_is_refused(client, author, settings):
    client.force_login(author)
    _ask(client)
    later = time.time() + settings.EMAIL_CHANGE_LINK_MAX_AGE_SECONDS + 5

    with mock.patch("django.core.signing.time.time", return_value=later):
        answer = _confirm(client, _link_token())

    assert answer.context["form"].errors == {
        "token": ["This link has expired; ask for a new one from your profile."]
    }
    assert User.objects.get(pk=author.pk).email == "author@example.com"


@pytest.mark.django_db
def test_another_accounts_link_and_a_tampered_one_are_refused(client, author, reader):
    client.force_login(author)
    _ask(client)
    token = _link_token()
    other = Client()
    other.force_login(reader)

    foreign = _confirm(other, token)
    tampered = _confirm(client, token[:-3] + "abc")

    assert foreign.context["form"].errors == {
        "token": ["This link is for another account: sign in as that account to use it."]
    }
    assert tampered.context["form"].errors == {
        "token": ["This link is not valid; copy the whole address from the email."]
    }
    emails = set(User.objects.values_list("email", flat=True))
    assert emails == {"author@example.com", "reader@example.com"}


@pytest.mark.django_db
def test_an_address_taken_between_request_and_confirmation_is_refused(client, author, reader):
    client.force_login(author)
    _ask(client)
    User.objects.filter(pk=reader.pk).update(email="ada@new.example")

    answer = _confirm(client, _link_token())

    assert answer.context["form"].errors == {
        "token": ["An account with this email already exists."]
    }
    assert User.objects.get(pk=author.pk).email == "author@example.com"


@pytest.mark.django_db
def test_opening_the_link_signed_out_leads_through_sign_in(client):
    answer = client.get("/profile/email/confirm/?token=abc")

    assert answer["Location"] == "/sign-in/?next=/profile/email/confirm/%3Ftoken%3Dabc"


@pytest.mark.django_db
def test_a_link_opened_twice_at_once_is_used_once(client, author):
    client.force_login(author)
    _ask(client)
    token = _link_token()
    # Two requests, each having loaded the account before either applied the link.
    first, second = User.objects.get(pk=author.pk), User.objects.get(pk=author.pk)

    assert confirm_email_change(user=first, token=token) == "ada@new.example"
    with pytest.raises(InvalidInput) as refused:
        confirm_email_change(user=second, token=token)

    assert refused.value.field_errors == {
        "token": ["This link was already used, or your account has changed since."]
    }
    assert User.objects.get(pk=author.pk).email == "ada@new.example"
