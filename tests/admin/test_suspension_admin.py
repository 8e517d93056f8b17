"""Editors suspend and reinstate accounts from the admin's user list: a page asks how long and
why, refusals are told per account, and staff without the permission get no such action."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture
def moderator_client(client):
    moderator = UserFactory(email="moderator@example.com")
    services.make_editor(user=moderator)
    client.force_login(moderator)
    return client


def _act(client, action: str, users, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(user.pk) for user in users], **extra},
        follow=True,
    )


def test_suspending_asks_how_long_and_why_then_suspends(moderator_client, reader, stranger):
    page = _act(moderator_client, "suspend_accounts", [reader, stranger])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Suspend 2 accounts" in html and reader.email in html
    assert not User.objects.filter(suspended_until__isnull=False).exists()  # asked, not done

    done = _act(
        moderator_client,
        "suspend_accounts",
        [reader, stranger],
        apply="1",
        duration="7",
        reason="Coordinated spam.",
    )
    assert "2 accounts suspended." in done.content.decode()
    for user in User.objects.filter(pk__in=[reader.pk, stranger.pk]):
        assert user.is_suspended and user.suspension_reason == "Coordinated spam."

    _act(moderator_client, "reinstate_accounts", [reader])
    assert not User.objects.get(pk=reader.pk).is_suspended
    assert User.objects.get(pk=stranger.pk).is_suspended


def test_a_missing_reason_is_asked_again_and_nothing_changes(moderator_client, reader):
    page = _act(moderator_client, "suspend_accounts", [reader], apply="1", duration="", reason="")
    assert "This field is required." in page.content.decode()
    assert User.objects.get(pk=reader.pk).suspended_until is None


def test_an_editor_suspending_a_superuser_is_told_no_and_nothing_changes(
    moderator_client, editor, reader
):
    page = _act(
        moderator_client,
        "suspend_accounts",
        [editor, reader],
        apply="1",
        duration="forever",
        reason="Trying.",
    )
    html = page.content.decode()
    assert f"Not suspended: {editor.email}. Only a superuser can suspend a staff account." in html
    assert "1 account suspended." in html
    assert User.objects.get(pk=editor.pk).suspended_until is None
    assert User.objects.get(pk=reader.pk).is_suspended


def test_staff_without_the_permission_have_no_suspend_action(client, reader):
    helper = UserFactory(email="helper@example.com", is_staff=True)
    helper.user_permissions.add(*Permission.objects.filter(codename="view_user"))
    client.force_login(helper)
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert "suspend_accounts" not in listing.content.decode()
    refused = _act(client, "suspend_accounts", [reader], apply="1", duration="", reason="x")
    assert refused.status_code in (200, 403)
    assert User.objects.get(pk=reader.pk).suspended_until is None
