"""The moderators' queue channel is restricted on the server: readers and staff without the
editor role are refused at subscribe, no wildcard carries its events, and an editor of the
Editors group gets each new report."""

import json

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group, Permission

from accounts.services import EDITORS_GROUP, make_editor
from blog.announcements import HELD_COMMENTS_CHANNEL
from moderation import services
from moderation.announcements import QUEUE_CHANNEL
from tests.factories import CommentFactory, UserFactory
from tests.realtime.conftest import connect, session_cookie, subscribe

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _editor_cookie() -> str:
    # A transactional test's database is flushed, migrations' data with it: the group again.
    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="moderation", codename="change_report")
    )
    user = UserFactory(email="queue-editor@example.com")
    make_editor(user=user)
    return session_cookie(user)


def _support_cookie() -> str:
    return session_cookie(UserFactory(email="support@example.com", is_staff=True))


@pytest.mark.parametrize("channel", [QUEUE_CHANNEL, HELD_COMMENTS_CHANNEL])
async def test_a_reader_cannot_subscribe_to_the_queue_or_the_held_comments(reader_cookie, channel):
    communicator = await connect(reader_cookie)
    answer = await subscribe(communicator, channel)
    assert answer["type"] == "subscribe_error"
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"
    await communicator.disconnect()


async def test_staff_without_the_editor_role_cannot_subscribe_to_the_queue():
    cookie = await database_sync_to_async(_support_cookie)()
    communicator = await connect(cookie)
    assert (await subscribe(communicator, QUEUE_CHANNEL))["type"] == "subscribe_error"
    await communicator.disconnect()


async def test_an_editor_gets_new_reports_and_a_wildcard_reader_does_not(reader, reader_cookie):
    cookie = await database_sync_to_async(_editor_cookie)()
    editor = await connect(cookie)
    assert (await subscribe(editor, QUEUE_CHANNEL))["type"] == "subscribe_success"
    snooper = await connect(reader_cookie)
    assert (await subscribe(snooper, "/subscriptions/*"))["type"] == "subscribe_success"
    comment = await database_sync_to_async(CommentFactory)()
    report = await database_sync_to_async(services.create_report)(
        reporter=reader, post=comment.post, comment=comment, reason="spam"
    )
    frame = await editor.receive_json_from(timeout=5)
    event = json.loads(frame["event"])
    assert (event["resource"], event["type"], event["ids"]) == (
        "reports",
        "created",
        [str(report.id)],
    )
    assert await snooper.receive_nothing(timeout=0.5)
    await editor.disconnect()
    await snooper.disconnect()
