"""``manage.py create_user``: an account in one line, and clear refusals for bad arguments."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

PASSWORD = "a sturdy new passphrase"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_a_staff_account_that_can_sign_in(client):
    output = _run("Eve@Example.com", "--name", "Eve", "--staff", "--password", PASSWORD)

    assert output.strip() == "Created eve@example.com (staff)."
    user = User.objects.get(email="eve@example.com")
    assert (user.name, user.is_staff) == ("Eve", True)
    assert client.login(username="eve@example.com", password=PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email", "--password", PASSWORD], "email: Enter a valid email address."),
        (["eve@example.com", "--password", "123"], "password: This password is too short."),
        (["author@example.com", "--password", PASSWORD], "already exists"),
    ],
)
def test_bad_arguments_fail_with_a_clear_message(author, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)

    assert User.objects.count() == 1


@pytest.mark.django_db
def test_without_a_terminal_the_password_must_be_given(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    with pytest.raises(CommandError, match="pass --password"):
        _run("eve@example.com")


@pytest.mark.django_db
def test_with_cognito_the_account_gets_no_password_and_links_on_first_sign_in(settings):
    settings.AUTH_PROVIDER = "cognito"

    _run("eve@example.com", "--staff")

    assert not User.objects.get(email="eve@example.com").has_usable_password()
    with pytest.raises(CommandError, match="passwords live in the user pool"):
        _run("fay@example.com", "--password", PASSWORD)


def test_missing_email_exits_non_zero():
    with pytest.raises(CommandError, match="email"):
        _run()
