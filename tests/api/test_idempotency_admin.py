"""Editors see the kept idempotency keys by size, in constant queries, and cannot change them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import IdempotencyKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def _keys(count: int) -> list[IdempotencyKey]:
    return [
        IdempotencyKey.objects.create(
            user=UserFactory(),
            key=f"key-{number}",
            path="post.create",
            fingerprint="0" * 64,
            outcome="x" * 1234,
            created_at=timezone.now(),
        )
        for number in range(count)
    ]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_shows_answer_sizes_in_the_same_queries_for_3_or_30_keys(admin_client):
    url = reverse("admin:api_idempotencykey_changelist")
    _keys(3)
    few = _queries(admin_client, url)
    _keys(27)
    assert _queries(admin_client, url) == few
    assert "1,234 chars" in admin_client.get(url).content.decode()


def test_a_key_can_be_viewed_but_not_changed(admin_client):
    (key,) = _keys(1)
    url = reverse("admin:api_idempotencykey_change", args=[key.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"key": "changed"})
    key.refresh_from_db()
    assert key.key == "key-0"
    assert admin_client.get(reverse("admin:api_idempotencykey_add")).status_code == 403


def test_staff_without_permissions_do_not_see_the_keys(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:api_idempotencykey_changelist"))
    assert response.status_code == 403
