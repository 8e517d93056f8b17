"""Readers browse the newest posts, open one with its threads, and visit an author."""

import pytest
from django.urls import reverse

from blog import services, view_counts
from blog.announcements import POSTS_CHANNEL, comments_channel
from realtime import event_log
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_posts_newest_first_without_drafts(client, author):
    older = PostFactory(title="Older post")
    newer = PostFactory(title="Newer post")
    PostFactory(title="Secret draft", published=False)
    page = client.get(reverse("blog:home")).content.decode()
    assert page.index(newer.title) < page.index(older.title)
    assert "Secret draft" not in page


def test_home_runs_the_same_queries_for_any_number_of_posts(client, django_assert_num_queries):
    PostFactory.create_batch(25)
    # 1 the live position of the posts channel, 2 the page of posts with authors and comment
    # counts, 3 their tags; no session, no user lookup. For the page's public read key (cached
    # for 30 s after): 4 the usable keys, 5 the first key, made on first use.
    with django_assert_num_queries(5):
        response = client.get(reverse("blog:home"))
    assert response.status_code == 200


def test_home_pages_through_older_posts(client):
    PostFactory.create_batch(25)
    first = client.get(reverse("blog:home"))
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("blog:home"), {"after": cursor})
    first_ids = {post.id for post in first.context["page"].items}
    second_ids = {post.id for post in second.context["page"].items}
    assert len(first_ids) == 20 and len(second_ids) == 5
    assert not first_ids & second_ids


def test_a_forged_page_cursor_is_not_found(client):
    assert client.get(reverse("blog:home"), {"after": "garbage!"}).status_code == 404


def test_post_page_renders_markdown_safely_and_counts_the_view(client):
    post = PostFactory(content="**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    response = client.get(post.get_absolute_url())
    page = response.content.decode()
    body = page[page.index('<div class="post-body">') : page.index('<section class="comments"')]
    assert "<strong>bold</strong>" in body
    assert "<script>alert(1)" not in body
    assert "javascript:" not in body
    view_counts.flush()  # views counted in Redis reach the database in batches
    post.refresh_from_db()
    assert post.view_count == 1


def test_post_page_shows_threads_nested_and_deleted_placeholders(client, reader):
    post = PostFactory()
    parent = services.create_comment(author=reader, post=post, content="Parent says hi")
    services.create_comment(author=reader, post=post, content="A reply", parent=parent)
    services.delete_comment(comment=parent)
    body = client.get(post.get_absolute_url()).content.decode()
    assert "Parent says hi" not in body
    assert "[deleted]" in body
    assert body.index("[deleted]") < body.index("A reply")


def test_comments_are_escaped(client):
    comment = CommentFactory(content="<img src=x onerror=alert(1)>")
    body = client.get(comment.post.get_absolute_url()).content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_post_page_queries_do_not_grow_with_the_thread(client, django_assert_num_queries, settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 0  # each view an UPDATE (with Redis: none, or a flush)
    post = PostFactory()
    CommentFactory.create_batch(15, post=post)
    # 1 the post with author and comment count, 2 its tags, 3 the view count update, 4 the live
    # position of its comments, 5 the comments; 6 the usable public read keys (cached for 30 s
    # after), 7 the first key, made on first use.
    with django_assert_num_queries(7):
        client.get(post.get_absolute_url())


def test_a_draft_is_not_found_for_readers_but_shown_to_its_author(client, author, reader):
    draft = PostFactory(author=author, published=False)
    client.force_login(reader)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(author)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_author_page_shows_profile_and_published_posts_only(client, author):
    author.bio = "Writes about <b>tests</b>"
    author.save()
    PostFactory(author=author, title="Public one")
    PostFactory(author=author, title="Hidden draft", published=False)
    body = client.get(author.get_absolute_url()).content.decode()
    assert "Public one" in body and "Hidden draft" not in body
    assert "Writes about &lt;b&gt;tests&lt;/b&gt;" in body


def test_unknown_author_and_post_are_not_found(client):
    assert client.get("/authors/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/posts/no-such-post/").status_code == 404


def test_live_pages_say_where_their_content_stands_so_the_client_misses_nothing(
    client, author, reader
):
    post = services.create_post(author=author, title="Live", content="x", published=True)
    page = client.get(post.get_absolute_url())
    assert 'data-live-since=":0"' in page.content.decode()  # no comment yet
    services.create_comment(author=reader, post=post, content="First")
    services.create_comment(author=reader, post=post, content="Second")
    head = event_log.head(comments_channel(post.id))
    page = client.get(post.get_absolute_url())
    assert f'data-live-since="{head.epoch}:2"' in page.content.decode()
    home = client.get("/")
    posts_head = event_log.head(POSTS_CHANNEL)
    assert f'data-live-since="{posts_head.epoch}:{posts_head.offset}"' in home.content.decode()


def test_each_listed_post_says_where_its_comment_count_stands(client, author, reader):
    quiet = services.create_post(author=author, title="Quiet", content="x", published=True)
    busy = services.create_post(author=author, title="Busy", content="x", published=True)
    first = services.create_comment(author=reader, post=busy, content="First")
    services.create_comment(author=reader, post=busy, content="Second")
    services.delete_comment(comment=first)
    head = event_log.head(comments_channel(busy.id))
    home = client.get("/").content.decode()
    # The count and the position come from one statement: counting on from there, a live
    # page misses no comment and counts none twice.
    assert (
        f'data-post-id="{busy.id}" data-comments-since="{head.epoch}:3"' in home
        and 'data-count="1">1 comment<' in home
    )
    assert f'data-post-id="{quiet.id}" data-comments-since=":0"' in home
