"""The scheduled clean-ups delete only what is old, and refuse durations they can't read."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from chunking.models import MessageChunk
from sessions_app.models import ClientSession
from tests.factories import ClientSessionFactory, MessageChunkFactory

pytestmark = pytest.mark.django_db


def test_cleanup_sessions_deletes_sessions_idle_for_a_day_by_default(capsys):
    stale = ClientSessionFactory(last_used_at=timezone.now() - timedelta(hours=25))
    fresh = ClientSessionFactory(last_used_at=timezone.now() - timedelta(hours=23))
    MessageChunkFactory(session=stale)
    call_command("cleanup_sessions")
    assert list(ClientSession.objects.all()) == [fresh]
    assert not MessageChunk.objects.exists()  # a stale session's chunks go with it
    assert "Deleted 1 client session(s)" in capsys.readouterr().out


def test_cleanup_sessions_takes_another_age():
    ClientSessionFactory(last_used_at=timezone.now() - timedelta(minutes=45))
    call_command("cleanup_sessions", older_than="30m")
    assert not ClientSession.objects.exists()


def test_cleanup_chunks_deletes_chunks_older_than_an_hour_by_default(capsys):
    old = MessageChunkFactory()
    MessageChunk.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    recent = MessageChunkFactory()
    call_command("cleanup_chunks")
    assert list(MessageChunk.objects.all()) == [recent]
    assert "Deleted 1 chunk(s)" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["cleanup_sessions", "cleanup_chunks"])
@pytest.mark.parametrize("age", ["soon", "0h", "-5m", "10", "1w", "3000000d", "99999999999d"])
def test_an_unreadable_age_is_refused_and_nothing_is_deleted(command, age):
    ClientSessionFactory(last_used_at=timezone.now() - timedelta(days=30))
    with pytest.raises(CommandError, match=r"is not a duration|is too long"):
        call_command(command, older_than=age)
    assert ClientSession.objects.exists()
