"""``make_editor`` gives and takes away the Editors role, says when nothing changed, and names
an unknown email."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _is_editor(user):
    user.refresh_from_db()
    return user.is_staff and user.groups.filter(name="Editors").exists()


def test_make_editor_makes_the_account_staff_in_the_editors_group(capsys):
    user = UserFactory(email="new.editor@example.com")
    call_command("make_editor", "New.Editor@example.com")
    assert _is_editor(user)
    assert not user.is_superuser
    assert "new.editor@example.com is now an editor." in capsys.readouterr().out


def test_make_editor_twice_changes_nothing(capsys):
    user = UserFactory(email="twice@example.com")
    call_command("make_editor", "twice@example.com")
    call_command("make_editor", "twice@example.com")
    assert _is_editor(user)
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert "twice@example.com was already an editor." in capsys.readouterr().out


def test_remove_takes_the_role_and_the_staff_flag_away(capsys):
    user = UserFactory(email="leaving@example.com")
    call_command("make_editor", "leaving@example.com")
    call_command("make_editor", "leaving@example.com", remove=True)
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.groups.exists()
    assert "leaving@example.com is no longer an editor." in capsys.readouterr().out


def test_remove_keeps_staff_for_whom_something_else_gives_the_admin():
    user = UserFactory(email="also.support@example.com")
    user.groups.add(Group.objects.create(name="Support"))
    call_command("make_editor", "also.support@example.com")
    call_command("make_editor", "also.support@example.com", remove=True)
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Support"]


def test_remove_from_someone_who_is_not_an_editor_changes_nothing(capsys):
    user = UserFactory(email="staff.only@example.com", is_staff=True)
    call_command("make_editor", "staff.only@example.com", remove=True)
    user.refresh_from_db()
    assert user.is_staff
    assert "staff.only@example.com was not an editor." in capsys.readouterr().out


def test_an_unknown_email_is_an_error():
    with pytest.raises(
        CommandError, match=re.escape("No account has the email 'nobody@example.com'.")
    ):
        call_command("make_editor", "nobody@example.com")
