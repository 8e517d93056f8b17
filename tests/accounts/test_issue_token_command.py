"""``manage.py issue_token``: a local JWT for one line of curl; clear refusals otherwise."""

import io

import jwt
import pytest
from django.core.management import CommandError, call_command

from accounts.tokens import user_for_token


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_prints_an_access_token_that_authenticates_the_api(client, author):
    token = _run("AUTHOR@example.com")

    me = client.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert me.json()["email"] == "author@example.com"


@pytest.mark.django_db
def test_kind_and_lifetime_are_honoured(author):
    token = _run(author.email, "--kind", "id", "--ttl", "90s")

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["token_use"] == "id"
    assert claims["exp"] - claims["iat"] == 90
    assert user_for_token(token) == author


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.com"], "No active account"),
        (["author@example.com", "--ttl", "forever"], "is not a duration"),
        (["author@example.com", "--kind", "refresh"], "invalid choice"),
    ],
)
def test_bad_arguments_fail_with_a_clear_message(author, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


@pytest.mark.django_db
def test_refused_when_cognito_issues_the_tokens(author, settings):
    settings.AUTH_PROVIDER = "cognito"

    with pytest.raises(CommandError, match="issued by Cognito"):
        _run(author.email)
