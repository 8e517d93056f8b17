"""Authors schedule a draft from the editor (a time in the site's zone, said beside the field),
see it on the dashboard as "Scheduled for …", and unschedule it; bad times are field errors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def _field(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _later(hours: int = 3):
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


def test_the_editor_offers_a_publish_at_field_in_the_sites_zone(author_client):
    body = author_client.get(reverse("blog:new-post")).content.decode()
    assert '<label for="id_publish_at">Publish at</label>' in body
    assert 'type="datetime-local"' in body
    assert "Time zone: UTC." in body
    assert 'value="schedule">Schedule</button>' in body


def test_schedule_saves_a_scheduled_draft_shown_on_the_dashboard(author_client, author):
    when = _later()
    response = author_client.post(
        reverse("blog:new-post"),
        {
            "title": "Tomorrow's news",
            "content": "Words.",
            "publish_at": _field(when),
            "action": "schedule",
        },
        follow=True,
    )
    post = Post.objects.get()
    assert (post.published, post.publish_at) == (False, when)
    body = response.content.decode()
    assert f"Scheduled for {when:%-d %b %Y %H:%M} UTC." in body  # the confirmation
    assert f'value="{_field(when)}"' in body  # the field shows it again
    assert 'value="unschedule">Unschedule</button>' in body
    dashboard = author_client.get(reverse("blog:dashboard")).content.decode()
    assert (
        f'Scheduled for <time datetime="{when.isoformat()}">{when:%-d %b %Y %H:%M} UTC</time>'
        in dashboard
    )


def test_unschedule_keeps_the_draft(author_client, author):
    post = PostFactory(author=author, published=False, publish_at=_later())
    response = author_client.post(
        reverse("blog:edit-post", args=[post.id]),
        {
            "title": post.title,
            "content": post.content,
            "slug": post.slug,
            "publish_at": _field(post.publish_at),
            "action": "unschedule",
        },
        follow=True,
    )
    assert "Saved as a draft." in response.content.decode()
    stored = Post.objects.get(id=post.id)
    assert (stored.published, stored.publish_at) == (False, None)


def test_publish_now_ends_the_schedule(author_client, author):
    post = PostFactory(author=author, published=False, publish_at=_later())
    author_client.post(
        reverse("blog:edit-post", args=[post.id]),
        {
            "title": post.title,
            "content": post.content,
            "slug": post.slug,
            "publish_at": _field(post.publish_at),
            "action": "publish",
        },
    )
    stored = Post.objects.get(id=post.id)
    assert (stored.published, stored.publish_at) == (True, None)


@pytest.mark.parametrize(
    ("publish_at", "message"),
    [
        ("", "Choose when to publish."),
        ("not a date", "Enter a valid date/time."),
        ("2020-01-01T10:00", "Choose a time in the future."),
        ("2099-01-01T10:00", "Choose a time within 1098 days."),
    ],
)
def test_a_bad_time_is_shown_on_its_field_and_nothing_is_saved(author_client, publish_at, message):
    response = author_client.post(
        reverse("blog:new-post"),
        {"title": "Kept", "content": "My words.", "publish_at": publish_at, "action": "schedule"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    errors_start = body.index('id="id_publish_at-errors"')
    assert message in body[errors_start : body.index("</div>", errors_start)]
    assert "My words." in body  # nothing lost
    assert not Post.objects.exists()


def test_a_published_posts_editor_has_no_schedule(author_client, author):
    post = PostFactory(author=author)
    body = author_client.get(reverse("blog:edit-post", args=[post.id])).content.decode()
    assert "id_publish_at" not in body and "Schedule</button>" not in body


def test_scheduling_someone_elses_draft_is_not_found(client, stranger, author):
    post = PostFactory(author=author, published=False)
    client.force_login(stranger)
    response = client.post(
        reverse("blog:edit-post", args=[post.id]),
        {
            "title": "Mine now",
            "content": "x",
            "slug": post.slug,
            "publish_at": _field(_later()),
            "action": "schedule",
        },
    )
    assert response.status_code == 404
    assert Post.objects.get(id=post.id).publish_at is None


def test_the_no_javascript_preview_keeps_to_the_render_budget(author_client, settings):
    settings.POST_RENDER_BUDGET_SECONDS = 0
    response = author_client.post(
        reverse("blog:new-post"), {"title": "T", "content": "Words.", "preview": "1"}
    )
    assert response.status_code == 400
    assert "takes too long to display" in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.parametrize("scheduled", [1, 30])
def test_the_dashboard_runs_the_same_queries_however_many_posts_are_scheduled(
    client, author, django_assert_num_queries, scheduled
):
    PostFactory.create_batch(scheduled, author=author, published=False, publish_at=_later())
    PostFactory.create_batch(3, author=author)
    client.force_login(author)
    # 1 the session, 2 the user, 3 the drafts (scheduled ones included) with comment counts,
    # 4 their tags, 5 the published posts with comment counts, 6 their tags.
    with django_assert_num_queries(6):
        body = client.get(reverse("blog:dashboard")).content.decode()
    assert body.count("Scheduled for <time") == scheduled


def test_saving_with_the_time_unchanged_keeps_the_schedule_to_the_second(author_client, author):
    when = _later() + timedelta(seconds=17)  # set through the API, finer than the field shows
    post = PostFactory(author=author, published=False, publish_at=when)
    author_client.post(
        reverse("blog:edit-post", args=[post.id]),
        {
            "title": "New words",
            "content": post.content,
            "slug": post.slug,
            "publish_at": _field(when),
            "action": "save",
        },
    )
    stored = Post.objects.get(id=post.id)
    assert (stored.title, stored.publish_at) == ("New words", when)
