"""Opening, finding and touching client sessions."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from lib.errors import Forbidden
from sessions_app import selectors, services
from sessions_app.models import ClientSession


@pytest.mark.django_db
def test_the_same_user_and_browser_reopen_the_same_session(author):
    client = uuid.uuid4()
    first = services.open_session(user=author, client_uuid=client)
    again = services.open_session(user=author, client_uuid=client)
    assert first.session_id == again.session_id
    assert again.last_used_at >= first.last_used_at
    assert ClientSession.objects.get().client_uuid == client
    assert uuid.UUID(first.session_id).version == 4


@pytest.mark.django_db
def test_another_user_in_the_same_browser_gets_another_session(author, reader):
    client = uuid.uuid4()
    mine = services.open_session(user=author, client_uuid=client)
    theirs = services.open_session(user=reader, client_uuid=client)
    assert mine.session_id != theirs.session_id
    assert ClientSession.objects.count() == 2


@pytest.mark.django_db
def test_a_cognito_user_is_keyed_by_sub(author, settings):
    author.cognito_sub = "sub-123"
    author.save()
    session = services.open_session(user=author, client_uuid=uuid.UUID(int=1))
    assert services.user_sub(author) == "sub-123"
    assert (
        session.session_id
        != services.open_session(user=author, client_uuid=uuid.UUID(int=2)).session_id
    )


@pytest.mark.django_db
def test_only_the_owner_finds_a_session_and_missing_looks_the_same(author, stranger):
    session = services.open_session(user=author, client_uuid=uuid.uuid4())
    assert selectors.owned_session(user=author, session_id=session.session_id) == session
    with pytest.raises(Forbidden) as other_users:
        selectors.owned_session(user=stranger, session_id=session.session_id)
    with pytest.raises(Forbidden) as missing:
        selectors.owned_session(user=stranger, session_id=str(uuid.uuid4()))
    assert other_users.value.message == missing.value.message


@pytest.mark.django_db
def test_touching_writes_at_most_once_a_minute(author, django_assert_num_queries):
    session = services.open_session(user=author, client_uuid=uuid.uuid4())
    with django_assert_num_queries(0):
        services.touch_session(session=session)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ClientSession.objects.update(last_used_at=an_hour_ago)
    session.refresh_from_db()
    with django_assert_num_queries(1):  # the conditional UPDATE
        services.touch_session(session=session)
    assert ClientSession.objects.get().last_used_at > an_hour_ago
    with django_assert_num_queries(0):
        services.touch_session(session=session)


@pytest.mark.django_db
def test_a_new_session_beyond_the_cap_evicts_the_least_recently_used_with_its_chunks(
    author, reader, settings
):
    from tests.factories import ClientSessionFactory, MessageChunkFactory

    settings.REALTIME_MAX_SESSIONS_PER_USER = 3
    now = timezone.now()
    oldest, older, recent = (
        ClientSessionFactory(user=author, last_used_at=now - timedelta(hours=hours))
        for hours in (3, 2, 1)
    )
    MessageChunkFactory(session=oldest)
    # The reader's sessions are older still, and untouched by the author's cap.
    theirs = [
        ClientSessionFactory(user=reader, last_used_at=now - timedelta(days=1)) for _ in range(3)
    ]
    MessageChunkFactory(session=theirs[0])

    new = services.open_session(user=author, client_uuid=uuid.uuid4())

    assert set(ClientSession.objects.filter(user=author)) == {new, recent, older}
    assert not oldest.chunks.exists()
    assert ClientSession.objects.filter(user=reader).count() == 3
    assert theirs[0].chunks.count() == 1
    # The evicted browser is told its session has gone, and gets a new one when it asks.
    with pytest.raises(Forbidden, match="expired"):
        selectors.owned_session(user=author, session_id=oldest.session_id)
    back = services.open_session(user=author, client_uuid=oldest.client_uuid)
    assert set(ClientSession.objects.filter(user=author)) == {back, new, recent}


@pytest.mark.django_db
def test_reopening_a_session_at_the_cap_evicts_nothing(author, settings):
    settings.REALTIME_MAX_SESSIONS_PER_USER = 2
    first = services.open_session(user=author, client_uuid=uuid.uuid4())
    second = services.open_session(user=author, client_uuid=uuid.uuid4())
    services.open_session(user=author, client_uuid=first.client_uuid)
    assert set(ClientSession.objects.filter(user=author)) == {first, second}
