"""A reader cannot learn of another author's draft from the slug the API returns: a draft's
slug is its author's alone, so a post with the same title gets the slug it would get anyway."""

import pytest

from blog import services
from blog.models import Post

pytestmark = pytest.mark.django_db


def _create(caller, title, published=True):
    return caller.mutate("post.create", {"title": title, "published": published}).data


def test_a_title_taken_by_someone_elses_draft_gets_the_plain_slug(as_user, author, stranger):
    services.create_post(author=stranger, title="Hello")
    created = _create(as_user(author), "Hello")
    assert created["slug"] == "hello"


def test_the_same_title_without_any_draft_gets_the_same_slug(as_user, author):
    assert _create(as_user(author), "Hello")["slug"] == "hello"


def test_each_author_reaches_their_own_post_at_the_shared_slug(as_user, author, stranger):
    draft = services.create_post(author=stranger, title="Hello")
    public = Post.objects.get(id=_create(as_user(author), "Hello")["id"])
    assert as_user(stranger).query("post.bySlug", {"slug": "hello"}).data["id"] == str(draft.id)
    assert as_user(author).query("post.bySlug", {"slug": "hello"}).data["id"] == str(public.id)


def test_publishing_a_draft_whose_slug_went_public_meanwhile_numbers_it(as_user, author, stranger):
    draft = services.create_post(author=stranger, title="Hello")
    _create(as_user(author), "Hello")
    services.update_post(post=draft, published=True)
    assert Post.objects.get(id=draft.id).slug == "hello-2"


def test_an_authors_own_drafts_are_still_numbered(author):
    first = services.create_post(author=author, title="Hello")
    second = services.create_post(author=author, title="Hello")
    assert (first.slug, second.slug) == ("hello", "hello-2")
