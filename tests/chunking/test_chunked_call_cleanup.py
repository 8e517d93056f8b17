"""cleanup_chunks deletes recorded chunked calls, queued or answered, once they are old."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chunking.models import ChunkedCall
from tests.factories import ClientSessionFactory, MessageChunkFactory

pytestmark = pytest.mark.django_db


def test_cleanup_chunks_deletes_chunked_calls_older_than_the_age_with_old_chunks(capsys):
    session = ClientSessionFactory()
    old_queued, old_answered, recent = (
        ChunkedCall.objects.create(session=session, message_id=name, message="{}", state=state)
        for name, state in [("old-q", "queued"), ("old-a", "answered"), ("recent", "answered")]
    )
    ChunkedCall.objects.filter(pk__in=[old_queued.pk, old_answered.pk]).update(
        created_at=timezone.now() - timedelta(minutes=61)
    )
    MessageChunkFactory(session=session)
    call_command("cleanup_chunks")
    assert list(ChunkedCall.objects.all()) == [recent]
    assert "Deleted 2 chunk(s) and chunked call(s)" in capsys.readouterr().out
    call_command("cleanup_chunks", older_than="90s")
    assert ChunkedCall.objects.exists()
