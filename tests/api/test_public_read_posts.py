"""post.bySlug and post.byId from the public read cache (blog.read_cache): the same answer for
every viewer, a constant number of queries at any content size, never stale after a write,
and drafts never served from it or stored in it."""

import math
import time

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from blog import read_cache, services, view_counts
from blog.selectors import comment_for_edit, post_for_edit, published_post
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

PROCEDURES = pytest.mark.parametrize("procedure", ["post.bySlug", "post.byId"])


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_READ_CACHE_SECONDS = 60


@pytest.fixture
def no_flush_due(monkeypatch):
    """No view of the test finds a flush of the pending views due (blog.view_counts)."""
    monkeypatch.setattr(view_counts, "_next_due_check", math.inf)


def given(procedure: str, post) -> dict[str, str]:
    return {"slug": post.slug} if procedure == "post.bySlug" else {"id": str(post.id)}


def read(trpc, procedure: str, post):
    return trpc.query(procedure, given(procedure, post))


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    """Perform a write, committing it: its after-commit callbacks run as a commit runs them."""

    def perform(service) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            service()

    return perform


@pytest.mark.redis
@PROCEDURES
@pytest.mark.parametrize(("content_size", "comments"), [(1, 0), (200_000, 30)])
def test_a_cached_post_costs_no_query_with_views_counted_in_redis(
    trpc, settings, django_assert_num_queries, no_flush_due, procedure, content_size, comments
):
    settings.VIEW_COUNT_FLUSH_SECONDS = 60
    post = PostFactory(content="words " * (content_size // 6))
    CommentFactory.create_batch(comments, post=post)
    # the post with author and counts; its tags (the view: in Redis)
    with django_assert_num_queries(2):
        first = read(trpc, procedure, post).body
    with django_assert_num_queries(0):
        again = read(trpc, procedure, post).body
    assert again == first
    assert first["result"]["data"]["commentCount"] == comments


@PROCEDURES
def test_a_cached_post_with_views_written_at_once_costs_the_update_only(
    trpc, settings, django_assert_num_queries, procedure
):
    settings.VIEW_COUNT_FLUSH_SECONDS = 0
    post = PostFactory()
    read(trpc, procedure, post)
    with django_assert_num_queries(1):  # UPDATE view_count
        read(trpc, procedure, post)
    post.refresh_from_db()
    assert post.view_count == 2


@PROCEDURES
def test_a_post_edit_is_served_at_once(trpc, author, write, procedure):
    post = PostFactory(author=author, title="Old", content="*old*")
    assert read(trpc, procedure, post).data["title"] == "Old"
    write(
        lambda: services.update_post(
            post=post_for_edit(user=author, post_id=post.id), title="New", content="*new*"
        )
    )
    answer = read(trpc, procedure, post).data
    assert (answer["title"], answer["content"]) == ("New", "*new*")
    assert "<em>new</em>" in answer["contentHtml"]


@PROCEDURES
def test_an_edit_by_procedure_is_served_at_once(trpc, as_user, author, write, procedure):
    post = PostFactory(author=author, title="Old")
    read(trpc, procedure, post)
    caller = as_user(author)
    write(lambda: caller.mutate("post.update", {"id": str(post.id), "title": "New"}))
    assert read(trpc, procedure, post).data["title"] == "New"


@PROCEDURES
def test_an_unpublished_or_deleted_post_is_gone_at_once(trpc, author, write, procedure):
    unpublished, deleted = PostFactory(author=author), PostFactory(author=author)
    read(trpc, procedure, unpublished)
    read(trpc, procedure, deleted)
    write(
        lambda: services.update_post(
            post=post_for_edit(user=author, post_id=unpublished.id), published=False
        )
    )
    write(lambda: services.delete_post(post=post_for_edit(user=author, post_id=deleted.id)))
    assert read(trpc, procedure, unpublished).code == "NOT_FOUND"
    assert read(trpc, procedure, deleted).code == "NOT_FOUND"


@PROCEDURES
def test_comment_counts_are_fresh_after_every_comment_write(trpc, author, write, procedure):
    post = PostFactory()
    assert read(trpc, procedure, post).data["commentCount"] == 0
    write(
        lambda: services.create_comment(
            author=author, post=published_post(post_id=post.id), content="Hi"
        )
    )
    assert read(trpc, procedure, post).data["commentCount"] == 1
    comment = post.comments.get()
    write(
        lambda: services.delete_comment(
            comment=comment_for_edit(user=author, comment_id=comment.id)
        )
    )
    assert read(trpc, procedure, post).data["commentCount"] == 0


def test_an_author_reads_their_draft_by_a_cached_published_slug(trpc, as_user, author):
    """A draft's slug is its author's alone, and may be a published post's too: the author
    sees their draft first, everyone else the published post."""
    published = PostFactory(slug="shared", title="Published")
    PostFactory(author=author, slug="shared", title="Mine", published=False)
    assert trpc.query("post.bySlug", {"slug": "shared"}).data["title"] == "Published"
    assert as_user(author).query("post.bySlug", {"slug": "shared"}).data["title"] == "Mine"
    assert trpc.query("post.bySlug", {"slug": "shared"}).data["id"] == str(published.id)


def test_a_draft_is_served_to_its_author_and_staff_and_never_stored(
    trpc, as_user, author, stranger, editor
):
    draft = PostFactory(author=author, published=False, title="Draft")
    for viewer in (author, editor):
        answer = as_user(viewer).query("post.byId", {"id": str(draft.id)})
        assert answer.data["title"] == "Draft"
    assert as_user(stranger).query("post.byId", {"id": str(draft.id)}).code == "NOT_FOUND"
    assert trpc.query("post.byId", {"id": str(draft.id)}).code == "NOT_FOUND"
    assert trpc.query("post.bySlug", {"slug": draft.slug}).code == "NOT_FOUND"


def test_a_published_post_is_the_same_for_every_viewer(author, stranger, settings):
    """A post's answer holds nothing of its viewer: one cached entry serves everyone."""
    settings.PUBLIC_READ_CACHE_SECONDS = 0  # each viewer's answer built from the database
    post = PostFactory(author=author)
    CommentFactory(post=post)
    answers = [
        read_cache.post_detail(viewer=viewer, post_id=post.id).answer.value
        for viewer in (AnonymousUser(), author, stranger)
    ]
    assert answers[1:] == [answers[0]] * 2


@pytest.mark.parametrize("slug", ["", "ünï ✓", "a" * 220, "../posts", "\ud800"])
def test_any_slug_is_an_answer_not_an_error(trpc, slug):
    answer = trpc.query("post.bySlug", {"slug": slug})
    assert answer.status in (400, 404), answer.body


def test_an_unannounced_change_is_served_once_the_cache_seconds_pass(trpc, settings, author):
    """What no announcement invalidates (here an author renamed around the services) is at
    most PUBLIC_READ_CACHE_SECONDS old, also from the entries a process holds in memory."""
    settings.PUBLIC_READ_CACHE_SECONDS = 1
    post = PostFactory(author=author)
    CommentFactory(post=post, author=author)

    def names() -> tuple[str, str]:
        shown = trpc.query("post.byId", {"id": str(post.id)}).data
        thread = trpc.query("comment.list", {"postId": str(post.id)}).data
        return shown["author"]["name"], thread[0]["author"]["name"]

    assert names() == ("Ada Author", "Ada Author")
    User.objects.filter(id=author.id).update(name="Renamed")
    assert names() == ("Ada Author", "Ada Author")  # cached
    time.sleep(1.1)
    assert names() == ("Renamed", "Renamed")
