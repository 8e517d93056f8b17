"""A post's cover image over tRPC: chosen by coverImageId (only the author's own images), shown
in every post output as `image`, at the same number of queries as before."""

import pytest

from images import services
from tests.factories import PostFactory
from tests.images.conftest import encoded, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def image_of(django_capture_on_commit_callbacks):
    def make(owner, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.upload_image(owner=owner, upload=upload(encoded()), **kwargs)

    return make


def test_an_author_creates_a_post_with_one_of_their_images_as_cover(trpc, author, image_of):
    image = image_of(author, alt="Sunrise")

    created = trpc.login(author).mutate(
        "post.create", {"title": "Morning", "published": True, "coverImageId": str(image.id)}
    )

    cover = created.data["image"]
    assert cover["url"] == f"/media/{image.original_name}"
    assert (cover["width"], cover["height"], cover["alt"]) == (640, 480, "Sunrise")
    assert cover["srcset"].count("w,") == 2 and cover["webpSrcset"].count("w,") == 1
    listed = trpc.query("post.list").data["items"][0]
    assert listed["image"] == cover
    shown = trpc.query("post.bySlug", {"slug": created.data["slug"]}).data
    assert shown["image"] == cover


def test_someone_elses_image_as_cover_is_refused_and_changes_nothing(
    trpc, author, stranger, image_of
):
    others = image_of(stranger)
    post = PostFactory(author=author)
    caller = trpc.login(author)

    created = caller.mutate("post.create", {"title": "Mine", "coverImageId": str(others.id)})
    updated = caller.mutate("post.update", {"id": str(post.id), "coverImageId": str(others.id)})

    for answer in (created, updated):
        assert (answer.status, answer.code) == (400, "BAD_REQUEST")
        assert answer.error["data"]["fieldErrors"] == {
            "coverImageId": ["Choose one of the author's own images."]
        }
    post.refresh_from_db()
    assert post.cover_image_id is None
    assert not post.__class__.objects.filter(title="Mine").exists()


def test_a_cover_is_changed_and_removed_and_left_alone_when_not_given(trpc, author, image_of):
    first, second = image_of(author), image_of(author)
    post = PostFactory(author=author, cover_image=first)
    caller = trpc.login(author)

    changed = caller.mutate("post.update", {"id": str(post.id), "coverImageId": str(second.id)})
    kept = caller.mutate("post.update", {"id": str(post.id), "title": "New title"})
    removed = caller.mutate("post.update", {"id": str(post.id), "coverImageId": None})

    assert changed.data["image"]["url"].endswith(second.original_name)
    assert kept.data["image"]["url"].endswith(second.original_name)
    assert removed.data["image"] is None


@pytest.mark.parametrize("size", [1, 20])
def test_post_list_with_covers_is_still_one_query(
    trpc, author, image_of, django_assert_num_queries, size
):
    image = image_of(author)
    PostFactory.create_batch(size, author=author, cover_image=image)
    with django_assert_num_queries(1):  # posts + authors + covers (joins) + comment counts
        answer = trpc.query("post.list", {"limit": size})
    assert [item["image"]["width"] for item in answer.data["items"]] == [640] * size


def test_post_by_slug_with_a_cover_costs_what_it_did_without(
    trpc, author, image_of, django_assert_num_queries, settings
):
    settings.VIEW_COUNT_FLUSH_SECONDS = 0  # each view an UPDATE (with Redis: none, or a flush)
    bare = PostFactory(author=author)
    covered = PostFactory(author=author, cover_image=image_of(author))
    # The post with its author, cover (joins) and comment count; its tags; then its view counted.
    with django_assert_num_queries(3):
        trpc.query("post.bySlug", {"slug": bare.slug})
    with django_assert_num_queries(3):
        answer = trpc.query("post.bySlug", {"slug": covered.slug})
    assert answer.data["image"]["height"] == 480
