"""An unreachable Cognito endpoint is a clear 503 on pages and endpoints, never a 500."""

import pytest


@pytest.mark.django_db
def test_token_endpoint_answers_503(client, unreachable_pool):
    answer = client.post(
        "/auth/token",
        {"email": "ada@example.com", "password": "whatever"},
        content_type="application/json",
    )

    assert answer.status_code == 503
    assert answer.json()["__type"] == "ServiceUnavailable"


@pytest.mark.django_db
def test_sign_in_page_answers_503_with_a_message(client, unreachable_pool):
    answer = client.post("/sign-in/", {"email": "ada@example.com", "password": "whatever"})

    assert answer.status_code == 503
    assert "Sign-in is unavailable right now" in answer.content.decode()


@pytest.mark.django_db
def test_sign_up_page_answers_503_with_a_message(client, unreachable_pool):
    password = "Sturdy-Passw0rd!"
    answer = client.post(
        "/sign-up/",
        {"email": "ada@example.com", "name": "", "password": password, "password_again": password},
    )

    assert answer.status_code == 503
    assert "Sign-in is unavailable right now" in answer.content.decode()
