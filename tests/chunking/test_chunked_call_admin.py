"""Editors see kept chunked calls by size, in constant queries, and cannot change them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chunking.models import ChunkedCall
from tests.factories import ClientSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def _calls(count: int) -> list[ChunkedCall]:
    return [
        ChunkedCall.objects.create(
            session=ClientSessionFactory(), message_id=f"m{number}", message="x" * 1234
        )
        for number in range(count)
    ]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_shows_sizes_in_the_same_queries_for_3_or_30_calls(admin_client):
    url = reverse("admin:chunking_chunkedcall_changelist")
    _calls(3)
    few = _queries(admin_client, url)
    _calls(27)
    assert _queries(admin_client, url) == few
    assert "1,234 / 0 chars" in admin_client.get(url).content.decode()


def test_a_call_can_be_viewed_but_not_changed(admin_client):
    (call,) = _calls(1)
    url = reverse("admin:chunking_chunkedcall_change", args=[call.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    admin_client.post(url, {"state": "answered"})
    assert ChunkedCall.objects.get().state == ChunkedCall.State.QUEUED
