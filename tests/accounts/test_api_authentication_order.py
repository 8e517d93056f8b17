"""The API authenticates a Bearer token first and the browser's session after it."""

import pytest
from django.conf import settings as django_settings

from accounts.providers import local


def test_bearer_authentication_comes_before_the_session():
    classes = django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]

    assert classes[0] == "accounts.authentication.BearerTokenAuthentication"
    assert "rest_framework.authentication.SessionAuthentication" in classes[1:]


@pytest.mark.django_db
def test_signed_in_page_is_recognised_without_a_token(client, author):
    client.force_login(author)

    assert client.get("/auth/me").json()["email"] == author.email


@pytest.mark.django_db
def test_a_bearer_token_wins_over_the_session(client, author, reader):
    client.force_login(reader)
    token = local.issue_token(user=author, kind="access")

    me = client.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert me.json()["email"] == author.email


@pytest.mark.django_db
def test_a_bad_bearer_token_is_refused_even_with_a_session(client, reader):
    client.force_login(reader)

    assert client.get("/auth/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


@pytest.mark.django_db
def test_no_credentials_at_all_is_401(client):
    answer = client.get("/auth/me")

    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'
