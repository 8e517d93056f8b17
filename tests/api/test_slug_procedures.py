"""post.update changes a slug; post.bySlug finds a post by a slug it had and answers with the
post under its current slug, from the cache too, never a stale one."""

import pytest

from blog.models import Post, PostSlug
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_slug(as_user, author, django_capture_on_commit_callbacks):
    """post.update of a slug as ``author``, committed (its announcement runs)."""
    caller = as_user(author)

    def change(post: Post, slug: str):
        with django_capture_on_commit_callbacks(execute=True):
            return caller.mutate("post.update", {"id": str(post.id), "slug": slug})

    return change


def test_post_update_changes_the_slug_and_keeps_the_old(change_slug, author):
    post = PostFactory(author=author, slug="before")
    answer = change_slug(post, "after")
    assert answer.data["slug"] == "after"
    assert Post.objects.get(id=post.id).slug == "after"
    assert PostSlug.objects.filter(post=post, slug="before").exists()


def test_by_slug_with_an_old_slug_answers_the_post_under_its_current_slug(
    trpc, change_slug, author
):
    post = PostFactory(author=author, slug="before")
    change_slug(post, "after")
    data = trpc.query("post.bySlug", {"slug": "before"}).data
    assert (data["id"], data["slug"]) == (str(post.id), "after")


def test_a_cached_answer_by_an_old_slug_follows_the_next_change(
    trpc, change_slug, author, settings
):
    settings.PUBLIC_READ_CACHE_SECONDS = 60
    post = PostFactory(author=author, slug="first")
    change_slug(post, "second")
    assert trpc.query("post.bySlug", {"slug": "first"}).data["slug"] == "second"
    change_slug(post, "third")
    assert trpc.query("post.bySlug", {"slug": "first"}).data["slug"] == "third"
    assert trpc.query("post.bySlug", {"slug": "second"}).data["slug"] == "third"
    change_slug(post, "first")
    assert trpc.query("post.bySlug", {"slug": "first"}).data["slug"] == "first"


@pytest.mark.parametrize("slug", ["Upper", "two words", "", "a" * 221, "taken"])
def test_post_update_refuses_a_bad_or_taken_slug_with_the_field_named(
    change_slug, author, reader, slug
):
    PostFactory(author=reader, slug="taken")
    post = PostFactory(author=author, slug="mine")
    answer = change_slug(post, slug)
    assert answer.code == "BAD_REQUEST"
    assert list(answer.error["data"]["fieldErrors"]) == ["slug"]
    assert Post.objects.get(id=post.id).slug == "mine"
