"""post.create and post.update take publishAt (ISO 8601 with its offset, null unschedules);
the answer carries it for the post's author, and nobody else ever learns a draft's schedule."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _in(hours: int) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


def test_create_with_publish_at_schedules_a_draft_and_answers_it(as_user, author):
    when = _in(3)
    answer = as_user(author).mutate(
        "post.create", {"title": "Later", "content": "Words.", "publishAt": _iso(when)}
    )
    assert answer.data["published"] is False
    assert datetime.fromisoformat(answer.data["publishAt"]) == when
    assert Post.objects.get(id=answer.data["id"]).publish_at == when


def test_an_offset_is_kept_as_the_same_moment(as_user, author):
    when = _in(5).astimezone(UTC)
    in_paris = when.astimezone(timezone.get_fixed_timezone(60)).isoformat()
    answer = as_user(author).mutate("post.create", {"title": "Paris", "publishAt": in_paris})
    assert Post.objects.get(id=answer.data["id"]).publish_at == when


def test_update_reschedules_and_null_unschedules(as_user, author):
    post = PostFactory(author=author, published=False)
    caller = as_user(author)
    when = _in(4)
    answer = caller.mutate("post.update", {"id": str(post.id), "publishAt": _iso(when)})
    assert datetime.fromisoformat(answer.data["publishAt"]) == when
    answer = caller.mutate("post.update", {"id": str(post.id), "title": "Only the title"})
    assert datetime.fromisoformat(answer.data["publishAt"]) == when  # left out: kept
    answer = caller.mutate("post.update", {"id": str(post.id), "publishAt": None})
    assert answer.data["publishAt"] is None
    assert Post.objects.get(id=post.id).publish_at is None


@pytest.mark.parametrize(
    "publish_at",
    [
        "tomorrow",
        "2030-13-01T10:00:00Z",
        "2030-01-01T10:00:00",  # no offset: which zone?
        "2030-01-01",
        12345,
        "9999-12-31T23:59:59-23:59",  # past the largest time the database holds, in UTC
    ],
)
def test_a_malformed_time_is_a_field_error_and_changes_nothing(as_user, author, publish_at):
    post = PostFactory(author=author, published=False, title="Untouched")
    answer = as_user(author).mutate(
        "post.update", {"id": str(post.id), "title": "Changed", "publishAt": publish_at}
    )
    assert answer.code == "BAD_REQUEST"
    assert list(answer.error["data"]["fieldErrors"]) == ["publishAt"]
    stored = Post.objects.get(id=post.id)
    assert (stored.title, stored.publish_at) == ("Untouched", None)


@pytest.mark.parametrize("hours", [-1, 24 * 365 * 4])
def test_a_time_in_the_past_or_years_ahead_is_a_field_error(as_user, author, hours):
    answer = as_user(author).mutate(
        "post.create", {"title": "Never", "publishAt": _iso(_in(hours))}
    )
    assert answer.code == "BAD_REQUEST"
    assert list(answer.error["data"]["fieldErrors"]) == ["publishAt"]
    assert not Post.objects.exists()


def test_scheduling_a_published_post_is_refused(as_user, author):
    post = PostFactory(author=author)
    answer = as_user(author).mutate("post.update", {"id": str(post.id), "publishAt": _iso(_in(2))})
    assert list(answer.error["data"]["fieldErrors"]) == ["publishAt"]
    assert Post.objects.get(id=post.id).publish_at is None


def test_scheduling_someone_elses_post_is_refused_and_changes_nothing(as_user, author, stranger):
    draft = PostFactory(author=author, published=False)
    published = PostFactory(author=author)
    caller = as_user(stranger)
    when = _iso(_in(2))
    assert caller.mutate("post.update", {"id": str(draft.id), "publishAt": when}).code == (
        "NOT_FOUND"
    )
    assert caller.mutate("post.update", {"id": str(published.id), "publishAt": when}).code == (
        "FORBIDDEN"
    )
    assert not Post.objects.filter(publish_at__isnull=False).exists()


def test_nobody_but_the_author_and_staff_sees_a_schedule(trpc, as_user, author, stranger, editor):
    draft = PostFactory(author=author, published=False, title="Secret plan")
    when = _in(6)
    as_user(author).mutate("post.update", {"id": str(draft.id), "publishAt": _iso(when)})

    assert trpc.query("post.byId", {"id": str(draft.id)}).code == "NOT_FOUND"
    assert as_user(stranger).query("post.byId", {"id": str(draft.id)}).code == "NOT_FOUND"
    listed = as_user(stranger).query("post.list", {"published": False}).data["items"]
    assert listed == []
    mine = as_user(author).query("post.byId", {"id": str(draft.id)}).data
    assert datetime.fromisoformat(mine["publishAt"]) == when
    # Staff may edit any post, so they see what they would change.
    staff_view = as_user(editor).query("post.byId", {"id": str(draft.id)}).data
    assert datetime.fromisoformat(staff_view["publishAt"]) == when


def test_a_published_post_answers_no_schedule(trpc, author):
    post = PostFactory(author=author)
    assert trpc.query("post.byId", {"id": str(post.id)}).data["publishAt"] is None
