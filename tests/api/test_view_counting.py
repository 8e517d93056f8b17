"""Concurrent readers of one post: every view is counted, none lost to a race."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from tests.factories import PostFactory

READERS = 8
VIEWS_EACH = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_views_are_all_counted(author, settings):
    settings.API_THROTTLE_RATES = {"anonymous": "100000/minute", "user": "100000/minute"}
    post = PostFactory(author=author)

    def read_repeatedly(_: int) -> list[int]:
        client = Client()
        try:
            return [
                client.get("/api/trpc/post.byId", {"input": f'{{"id": "{post.id}"}}'}).status_code
                for _ in range(VIEWS_EACH)
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(READERS) as pool:
        statuses = [
            status for batch in pool.map(read_repeatedly, range(READERS)) for status in batch
        ]
    assert statuses == [200] * READERS * VIEWS_EACH
    post.refresh_from_db()
    assert post.view_count == READERS * VIEWS_EACH
