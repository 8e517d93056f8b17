"""Sign up, sign in and sign out in the browser with the local provider; next= stays on the site."""

import pytest

from accounts.models import User
from tests.conftest import PASSWORD

NEW_PASSWORD = "a sturdy new passphrase"


def _signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_sign_up_creates_the_account_and_signs_in(client):
    answer = client.post(
        "/sign-up/",
        {
            "email": "New@Example.com",
            "name": "Nia",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )

    assert answer.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.name == "Nia"
    assert user.check_password(NEW_PASSWORD)
    assert _signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_sign_up_with_a_common_password_is_refused(client):
    answer = client.post(
        "/sign-up/",
        {
            "email": "new@example.com",
            "name": "",
            "password": "password",
            "password_again": "password",
        },
    )

    assert answer.status_code == 200
    assert "This password is too common." in answer.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_with_a_taken_email_is_refused_whatever_its_case(client, author):
    answer = client.post(
        "/sign-up/",
        {
            "email": "AUTHOR@example.com",
            "name": "",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )

    assert "An account with this email already exists." in answer.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_sign_in_goes_to_the_next_page_on_this_site(client, author):
    answer = client.post(
        "/sign-in/", {"email": author.email, "password": PASSWORD, "next": "/profile/"}
    )

    assert answer["Location"] == "/profile/"
    assert _signed_in_user_id(client) == str(author.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_sign_in_refuses_to_redirect_off_the_site(client, author, next_url):
    answer = client.post(
        "/sign-in/", {"email": author.email, "password": PASSWORD, "next": next_url}
    )

    assert answer.status_code == 302
    assert answer["Location"] == "/"


@pytest.mark.django_db
def test_wrong_password_shows_a_form_error_and_signs_nobody_in(client, author):
    answer = client.post("/sign-in/", {"email": author.email, "password": "wrong"})

    assert answer.status_code == 200
    assert "Wrong email or password." in answer.content.decode()
    assert _signed_in_user_id(client) is None


@pytest.mark.django_db
def test_sign_out_ends_the_session(client, author):
    client.force_login(author)

    answer = client.post("/sign-out/")

    assert answer.status_code == 302
    assert _signed_in_user_id(client) is None


@pytest.mark.django_db
def test_sign_out_by_get_is_refused(client, author):
    client.force_login(author)

    assert client.get("/sign-out/").status_code == 405
    assert _signed_in_user_id(client) == str(author.pk)


@pytest.mark.django_db
def test_sign_out_needs_the_csrf_token(author):
    from django.test import Client

    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(author)

    assert guarded.post("/sign-out/").status_code == 403
    assert guarded.session.get("_auth_user_id") == str(author.pk)


@pytest.mark.django_db
def test_pages_show_sign_in_links_to_visitors_and_sign_out_to_members(client, author):
    visitor_page = client.get("/sign-in/").content.decode()
    client.force_login(author)
    member_page = client.get("/profile/").content.decode()

    assert 'href="/sign-up/"' in visitor_page
    assert 'action="/sign-out/"' in member_page


@pytest.mark.django_db
def test_confirmation_pages_do_not_exist_for_the_local_provider(client):
    assert client.get("/sign-up/confirm/").status_code == 404
    assert client.get("/password/reset/").status_code == 404
