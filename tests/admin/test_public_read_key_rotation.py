"""Editors rotate the public read key in the admin: adding a key makes it the one pages hand
out, the others keep working for the grace period only, and a key can be switched off at once.
Keys are never deleted."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from realtime.models import PublicReadKey
from realtime.public_read_keys import current_key, key_for
from tests.admin.test_roles import group_editor

pytestmark = pytest.mark.django_db
__all__ = ["group_editor"]  # the fixture, used by name


def test_an_editor_rotates_the_key_and_the_old_one_lasts_the_grace_period(
    client, group_editor, settings
):
    old = current_key()
    client.force_login(group_editor)
    add = reverse("admin:realtime_publicreadkey_add")
    page = client.get(add)
    assert page.status_code == 200
    assert "Rotate the public read key" in page.content.decode()

    response = client.post(add, {"description": "Scheduled rotation"})

    assert response.status_code == 302
    new = PublicReadKey.objects.get(description="Scheduled rotation")
    assert new.created_by == group_editor
    assert current_key().value == new.value != old.value
    assert new.value.startswith("da2-") and len(new.value) == 30
    # The old key keeps working, until the grace period ends.
    grace_end = timezone.now() + timedelta(seconds=settings.REALTIME_PUBLIC_KEY_GRACE_SECONDS)
    kept = PublicReadKey.objects.get(id=old.id)
    assert timezone.now() < kept.expires_at <= grace_end
    assert key_for(old.value) is not None
    # Pages hand out the new key at once.
    assert f'content="{new.value}"' in client_page_for_anyone()


def client_page_for_anyone() -> str:
    return Client().get(reverse("blog:home")).content.decode()


def test_an_editor_switches_a_key_off_and_it_is_refused_at_once(
    client, group_editor, django_capture_on_commit_callbacks
):
    key = current_key()
    client.force_login(group_editor)
    change = reverse("admin:realtime_publicreadkey_change", args=[key.id])
    assert "current: handed out to pages" in client.get(change).content.decode()

    # Every process forgets its cached keys once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, {"description": "Leaked in a scraper", "is_active": ""})

    assert response.status_code == 302
    assert key_for(key.value) is None
    assert current_key().value != key.value  # a new one is handed out instead
    assert PublicReadKey.objects.get(id=key.id).description == "Leaked in a scraper"


def test_keys_cannot_be_deleted_nor_their_value_or_expiry_edited(client, group_editor, editor):
    key = current_key()
    for user in (group_editor, editor):
        client.force_login(user)
        delete = reverse("admin:realtime_publicreadkey_delete", args=[key.id])
        assert client.get(delete).status_code == 403
        change = reverse("admin:realtime_publicreadkey_change", args=[key.id])
        client.post(change, {"value": "da2-mine", "expires_at": "2099-01-01", "is_active": "on"})
    row = PublicReadKey.objects.get(id=key.id)
    assert (row.value, row.expires_at) == (key.value, key.expires_at)


def test_readers_cannot_rotate(client, reader):
    client.force_login(reader)
    response = client.post(reverse("admin:realtime_publicreadkey_add"), {"description": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not PublicReadKey.objects.exists()
