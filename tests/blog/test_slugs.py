"""An author changes a post's slug: the old one is kept for the post and keeps finding it;
slugs of other posts, current or old, cannot be taken, and a bad slug changes nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser

from blog import selectors, services
from blog.models import Post, PostSlug
from lib.errors import InvalidInput, NotFound
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_new_slug_keeps_the_old_one_for_the_post(author):
    post = PostFactory(author=author, slug="first")
    services.update_post(post=post, slug="second")
    post.refresh_from_db()
    assert post.slug == "second"
    assert list(PostSlug.objects.values_list("post_id", "slug")) == [(post.id, "first")]


def test_an_old_slug_finds_the_post_under_its_current_slug(author):
    post = PostFactory(author=author, slug="first")
    services.update_post(post=post, slug="second")
    services.update_post(post=post, slug="third")
    for slug in ("first", "second", "third"):
        found = selectors.post_for_viewer(viewer=AnonymousUser(), slug=slug)
        assert (found.id, found.slug) == (post.id, "third")


def test_taking_back_an_old_slug_removes_its_record(author):
    post = PostFactory(author=author, slug="first")
    services.update_post(post=post, slug="second")
    services.update_post(post=post, slug="first")
    assert list(PostSlug.objects.values_list("slug", flat=True)) == ["second"]
    assert Post.objects.get(id=post.id).slug == "first"


def test_a_never_published_draft_changes_its_slug_without_keeping_the_old(author):
    draft = PostFactory(author=author, slug="rough", published=False)
    services.update_post(post=draft, slug="polished")
    assert Post.objects.get(id=draft.id).slug == "polished"
    assert not PostSlug.objects.exists()


def test_an_unpublished_post_keeps_its_old_slug_but_readers_find_nothing(author):
    post = PostFactory(author=author, slug="was-public")
    services.update_post(post=post, published=False)
    services.update_post(post=post, slug="now-private")
    assert PostSlug.objects.filter(post=post, slug="was-public").exists()
    with pytest.raises(NotFound):
        selectors.post_for_viewer(viewer=AnonymousUser(), slug="was-public")
    assert selectors.post_for_viewer(viewer=author, slug="was-public").id == post.id


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Upper", "Use only lowercase letters, digits and hyphens."),
        ("with space", "Use only lowercase letters, digits and hyphens."),
        ("under_score", "Use only lowercase letters, digits and hyphens."),
        ("", "This field may not be blank."),
        ("a" * 221, "Ensure this field has no more than 220 characters."),
    ],
)
def test_a_bad_slug_is_refused_and_changes_nothing(author, slug, message):
    post = PostFactory(author=author, slug="kept", title="Kept")
    with pytest.raises(InvalidInput) as refused:
        services.update_post(post=post, title="Changed", slug=slug)
    assert refused.value.field_errors == {"slug": [message]}
    assert Post.objects.filter(id=post.id, slug="kept", title="Kept").exists()


def test_another_posts_current_slug_cannot_be_taken(author, reader):
    PostFactory(author=reader, slug="taken")
    post = PostFactory(author=author, slug="mine")
    with pytest.raises(InvalidInput) as refused:
        services.update_post(post=post, slug="taken")
    assert refused.value.field_errors == {"slug": ["Another post has this slug."]}
    assert Post.objects.get(id=post.id).slug == "mine"
    assert not PostSlug.objects.exists()


def test_another_posts_old_slug_cannot_be_taken(author, reader):
    other = PostFactory(author=reader, slug="old-home")
    services.update_post(post=other, slug="new-home")
    post = PostFactory(author=author, slug="mine")
    with pytest.raises(InvalidInput) as refused:
        services.update_post(post=post, slug="old-home")
    assert refused.value.field_errors == {
        "slug": ["Another post had this slug; its old links lead there."]
    }
    assert Post.objects.get(id=post.id).slug == "mine"
    assert list(PostSlug.objects.values_list("post_id", flat=True)) == [other.id]


def test_a_slug_from_a_title_avoids_another_posts_old_slug(author):
    post = services.create_post(author=author, title="Hello", published=True)
    services.update_post(post=post, slug="greetings")
    again = services.create_post(author=author, title="Hello", published=True)
    assert again.slug == "hello-2"


def test_a_draft_going_public_under_another_posts_old_slug_is_numbered(author, reader):
    draft = PostFactory(author=reader, slug="shared", published=False)
    post = PostFactory(author=author, slug="shared")
    services.update_post(post=post, slug="moved")
    services.update_post(post=draft, published=True)
    assert Post.objects.get(id=draft.id).slug == "shared-2"


def test_deleting_a_post_deletes_its_old_slugs(author):
    post = PostFactory(author=author, slug="first")
    services.update_post(post=post, slug="second")
    services.delete_post(post=post)
    assert not PostSlug.objects.exists()
