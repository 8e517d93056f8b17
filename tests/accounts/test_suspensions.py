"""Editors suspend an account for a time or for ever: at once its tokens are refused and its
sessions end, and signing in again tells its owner why. Only superusers suspend staff."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import services, signin, suspensions, tokens
from accounts.models import SUSPENDED_FOREVER, User
from accounts.providers.local import issue_token
from lib.errors import Forbidden, InvalidInput, Unauthorized
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def moderator():
    user = UserFactory(email="moderator@example.com")
    services.make_editor(user=user)
    return User.objects.get(pk=user.pk)  # no cached permissions


def _in_a_week():
    return timezone.now() + timedelta(days=7)


def test_the_editors_group_may_suspend_accounts():
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="suspend_user").exists()


def test_a_suspended_accounts_tokens_are_refused_at_once_with_the_reason(moderator, reader):
    token = issue_token(user=reader, kind="access")
    assert tokens.user_for_token(token) == reader

    suspensions.suspend(user=reader, by=moderator, reason="Spam links.", until=_in_a_week())

    with pytest.raises(tokens.TokenRejected) as refused:
        tokens.user_for_token(token)
    assert "This account is suspended until" in refused.value.message
    assert refused.value.message.endswith(": Spam links.")


def test_signing_in_is_refused_with_the_reason_until_reinstated(moderator, reader):
    suspensions.suspend(user=reader, by=moderator, reason="Harassment.", until=None)
    with pytest.raises(Unauthorized, match=r"^This account is suspended: Harassment\.$"):
        signin.sign_in(email=reader.email, password=PASSWORD, ip="10.0.0.1")
    reader.refresh_from_db()
    assert reader.suspended_until == SUSPENDED_FOREVER

    assert suspensions.reinstate(user=reader, by=moderator) is True
    assert signin.sign_in(email=reader.email, password=PASSWORD, ip="10.0.0.1").user == reader
    assert suspensions.reinstate(user=reader, by=moderator) is False  # nothing to lift


def test_the_sign_in_page_shows_the_owner_why(client, moderator, reader):
    suspensions.suspend(user=reader, by=moderator, reason="Off-topic ads.", until=None)
    page = client.post("/sign-in/", {"email": reader.email, "password": PASSWORD})
    assert "This account is suspended: Off-topic ads." in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_suspension_ends_every_session_of_the_account_on_its_next_request(
    client, moderator, reader
):
    client.force_login(reader)
    assert client.get("/profile/").status_code == 200
    suspensions.suspend(user=reader, by=moderator, reason="Spam.", until=_in_a_week())
    answer = client.get("/profile/")
    assert answer.status_code == 302 and answer["Location"].startswith("/sign-in/")


def test_a_session_of_an_account_never_suspended_keeps_its_hash(reader):
    # Sessions signed before suspensions existed stay valid: the hash is Django's own.
    assert reader.get_session_auth_hash() == super(User, reader).get_session_auth_hash()


def test_a_suspension_that_has_ended_lets_the_owner_back_in(moderator, reader):
    suspensions.suspend(user=reader, by=moderator, reason="Cool off.", until=_in_a_week())
    User.objects.filter(pk=reader.pk).update(suspended_until=timezone.now() - timedelta(seconds=1))
    assert signin.sign_in(email=reader.email, password=PASSWORD, ip="10.0.0.1").user == reader


# --- refusals: nothing changes ---------------------------------------------------------------


def _unchanged(user: User) -> None:
    user.refresh_from_db()
    assert user.suspended_until is None and user.suspension_reason == ""


def test_an_editor_cannot_suspend_a_superuser_or_another_staff_account(moderator, editor):
    colleague = UserFactory(email="colleague@example.com")
    services.make_editor(user=colleague)
    for target in (editor, colleague):
        with pytest.raises(Forbidden, match="Only a superuser can suspend a staff account"):
            suspensions.suspend(user=target, by=moderator, reason="Coup.", until=None)
        _unchanged(target)


def test_a_superuser_can_suspend_staff_but_nobody_themselves(editor, moderator):
    suspensions.suspend(user=moderator, by=editor, reason="Abused the queue.", until=None)
    assert User.objects.get(pk=moderator.pk).is_suspended
    with pytest.raises(Forbidden, match="your own account"):
        suspensions.suspend(user=editor, by=editor, reason="Oops.", until=None)


def test_staff_without_the_permission_cannot_suspend(reader):
    helper = UserFactory(email="helper@example.com", is_staff=True)
    with pytest.raises(Forbidden):
        suspensions.suspend(user=reader, by=helper, reason="Because.", until=None)
    with pytest.raises(Forbidden):
        suspensions.reinstate(user=reader, by=helper)
    _unchanged(reader)


@pytest.mark.parametrize(
    ("reason", "until", "field"),
    [
        ("", None, "reason"),
        ("   ", None, "reason"),
        ("x" * 100_000, None, "reason"),
        ("Bell\x07", None, "reason"),
        ("Too late.", timezone.now() - timedelta(minutes=1), "until"),
    ],
    ids=["empty", "blank", "100-kb", "control-character", "in-the-past"],
)
def test_a_bad_reason_or_end_is_a_field_error(moderator, reader, reason, until, field):
    with pytest.raises(InvalidInput) as refused:
        suspensions.suspend(user=reader, by=moderator, reason=reason, until=until)
    assert field in refused.value.field_errors
    _unchanged(reader)
