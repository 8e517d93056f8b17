"""Values longer than their column get a clear error on every database (PostgreSQL would
otherwise refuse them with a server error, SQLite would store them)."""

import pytest
from django.core.management import CommandError, call_command

from accounts import services
from accounts.models import User
from lib.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_an_overlong_avatar_url_is_refused_and_the_profile_kept(reader):
    with pytest.raises(InvalidInput) as error:
        services.update_profile(user=reader, avatar_url="https://e.example/" + "a" * 600)
    assert "avatarUrl" in error.value.field_errors
    reader.refresh_from_db()
    assert reader.avatar_url == ""


def test_create_user_refuses_an_overlong_email():
    with pytest.raises(CommandError):
        call_command("create_user", "a" * 250 + "@example.com", password="a long passphrase ok")
    assert not User.objects.exists()
