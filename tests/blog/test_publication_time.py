"""A post's publication time is set when it is first published and kept after; every listing of
published posts (home page, feed, post.list, sitemap, author pages) is newest first by it, so a
post drafted long ago and published today comes first."""

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from blog import selectors, services
from blog.models import Post
from blog.pagination import PAGE_SIZE, Position, decode_position, encode_position
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

WEEK_AGO = datetime.now(UTC) - timedelta(days=7)
TWO_DAYS_AGO = datetime.now(UTC) - timedelta(days=2)


@pytest.fixture
def drafted_long_ago_published_today(author):
    """Two posts: one drafted a week ago and published now, one written and published two days
    ago. By creation the second is newer; by publication the first."""
    earlier = PostFactory(author=author, title="Published two days ago")
    Post.objects.filter(id=earlier.id).update(created_at=TWO_DAYS_AGO, published_at=TWO_DAYS_AGO)
    draft = services.create_post(author=author, title="Drafted a week ago", content="Body.")
    Post.objects.filter(id=draft.id).update(created_at=WEEK_AGO)
    draft.refresh_from_db()
    services.update_post(post=draft, published=True)
    return ["Drafted a week ago", "Published two days ago"]


def _titles_in_order(body: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=body.index)


# --- the time itself ---------------------------------------------------------------------------


def test_a_post_created_published_gets_its_publication_time(author):
    before = datetime.now(UTC)
    post = services.create_post(author=author, title="Out now", published=True)
    post.refresh_from_db()
    assert post.published_at is not None and before <= post.published_at <= datetime.now(UTC)


def test_a_draft_has_no_publication_time_until_it_is_published(author):
    post = services.create_post(author=author, title="Not yet")
    services.update_post(post=post, title="Still not")
    post.refresh_from_db()
    assert post.published_at is None
    services.update_post(post=post, published=True)
    post.refresh_from_db()
    assert post.published_at is not None and post.published_at > post.created_at


def test_the_first_publication_time_is_kept_through_unpublishing_and_publishing_again(author):
    post = services.create_post(author=author, title="Back and forth", published=True)
    first = Post.objects.get(id=post.id).published_at
    services.update_post(post=post, published=False)
    assert Post.objects.get(id=post.id).published_at == first
    services.update_post(post=post, published=True)
    services.update_post(post=post, title="Edited")
    assert Post.objects.get(id=post.id).published_at == first


def test_the_editors_publish_button_sets_the_publication_time(client, author):
    post = services.create_post(author=author, title="From the editor")
    client.force_login(author)
    client.post(reverse("blog:set-published", kwargs={"post_id": post.id}), {"published": "true"})
    assert Post.objects.get(id=post.id).published_at is not None


# --- listings order by it ------------------------------------------------------------------------


def test_the_home_page_lists_by_publication(client, drafted_long_ago_published_today):
    body = client.get(reverse("blog:home")).content.decode()
    assert _titles_in_order(body, drafted_long_ago_published_today) == (
        drafted_long_ago_published_today
    )


def test_a_post_shows_its_publication_date_to_readers(client, author):
    post = services.create_post(author=author, title="Dated", content="Body.")
    Post.objects.filter(id=post.id).update(created_at=WEEK_AGO)
    services.update_post(post=Post.objects.get(id=post.id), published=True)
    published_at = Post.objects.get(id=post.id).published_at
    detail = client.get(post.get_absolute_url()).content.decode()
    home = client.get(reverse("blog:home")).content.decode()
    for body in (detail, home):
        assert f'<time datetime="{published_at.isoformat()}">' in body
        assert WEEK_AGO.isoformat() not in body


def test_the_feed_lists_by_publication_and_dates_entries_by_it(
    client, drafted_long_ago_published_today
):
    body = client.get(reverse("blog:feed")).content.decode()
    assert _titles_in_order(body, drafted_long_ago_published_today) == (
        drafted_long_ago_published_today
    )
    published = re.findall(r"<published>([^<]+)</published>", body)
    expected = Post.objects.order_by("-published_at").values_list("published_at", flat=True)
    assert [datetime.fromisoformat(value) for value in published] == list(expected)


def test_the_sitemap_lists_by_publication(client, drafted_long_ago_published_today):
    body = client.get(reverse("blog:sitemap-section", kwargs={"section": "posts"})).content.decode()
    slugs = dict(Post.objects.values_list("title", "slug"))
    locations = re.findall(r"<loc>[^<]*/posts/([^/<]+)/</loc>", body)
    assert locations == [slugs[title] for title in drafted_long_ago_published_today]


def test_the_author_page_lists_by_publication(client, author, drafted_long_ago_published_today):
    body = client.get(reverse("blog:author", kwargs={"user_id": author.id})).content.decode()
    assert _titles_in_order(body, drafted_long_ago_published_today) == (
        drafted_long_ago_published_today
    )


def test_post_list_lists_by_publication(client, author, drafted_long_ago_published_today):
    for given in ({}, {"authorId": str(author.id)}):
        answer = client.get(f"/api/trpc/post.list?input={quote(json.dumps(given))}").json()
        items = answer["result"]["data"]["items"]
        assert [item["title"] for item in items] == drafted_long_ago_published_today
        assert all(item["publishedAt"].endswith("Z") for item in items)


def test_drafts_keep_listing_by_when_they_were_started(author):
    older = services.create_post(author=author, title="Older draft")
    Post.objects.filter(id=older.id).update(created_at=WEEK_AGO)
    services.create_post(author=author, title="Newer draft")
    page = selectors.post_row_page(viewer=author, limit=5, published=False)
    assert [row["title"] for row in page.items] == ["Newer draft", "Older draft"]
    assert [row["published_at"] for row in page.items] == [None, None]


# --- keyset pagination by it ---------------------------------------------------------------------


def test_pages_split_between_posts_published_at_the_same_moment_lose_and_repeat_none(author):
    moment = datetime(2026, 5, 1, 12, tzinfo=UTC)
    posts = PostFactory.create_batch(7, author=author)
    Post.objects.filter(id__in=[post.id for post in posts]).update(published_at=moment)
    for read in (selectors.post_row_page, selectors.post_page):
        seen: list[str] = []
        cursor = None
        while True:
            page = read(viewer=AnonymousUser(), limit=3, cursor=cursor)
            seen += [str(item["id"] if isinstance(item, dict) else item.id) for item in page.items]
            if page.next_cursor is None:
                break
            assert decode_position(page.next_cursor).at == moment
            cursor = page.next_cursor
        assert seen == sorted((str(post.id) for post in posts), reverse=True)


def test_a_cursor_made_from_a_creation_time_reads_as_a_publication_time(author):
    """Cursors handed out before listings ordered by ``published_at`` hold a ``created_at`` in
    the same form: they stay valid, and go on after that moment."""
    times = [datetime(2026, 5, day, tzinfo=UTC) for day in (1, 2, 3, 4)]
    posts = PostFactory.create_batch(4, author=author)
    for post, moment in zip(posts, times, strict=True):
        Post.objects.filter(id=post.id).update(created_at=moment, published_at=moment)
    old_cursor = encode_position(Position(times[2], posts[2].id))
    page = selectors.post_row_page(viewer=AnonymousUser(), limit=PAGE_SIZE, cursor=old_cursor)
    assert [row["id"] for row in page.items] == [posts[1].id, posts[0].id]
