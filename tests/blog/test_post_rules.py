"""A post's slug, excerpt and length rules, as create_post and update_post apply them."""

import pytest

from blog import services, view_counts
from blog.models import CONTENT_MAX_LENGTH, Post
from lib.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_slug_comes_from_the_title(author):
    post = services.create_post(author=author, title="Hello, World!")
    assert post.slug == "hello-world"


def test_a_second_post_with_the_same_title_gets_a_numbered_slug(author):
    first = services.create_post(author=author, title="Hello")
    second = services.create_post(author=author, title="Hello")
    third = services.create_post(author=author, title="Hello")
    assert (first.slug, second.slug, third.slug) == ("hello", "hello-2", "hello-3")


def test_a_title_of_only_symbols_still_gets_a_slug(author):
    post = services.create_post(author=author, title="!!!")
    assert post.slug == "post"


def test_a_longer_slug_sharing_the_prefix_does_not_count_as_a_collision(author):
    services.create_post(author=author, title="Hello there")
    assert services.create_post(author=author, title="Hello").slug == "hello"


def test_the_slug_stays_when_the_title_changes(author):
    post = services.create_post(author=author, title="First title")
    services.update_post(post=post, title="Second title")
    post.refresh_from_db()
    assert (post.title, post.slug) == ("Second title", "first-title")


def test_a_blank_excerpt_is_derived_from_the_content_as_plain_text(author):
    post = services.create_post(
        author=author, title="T", content="# Heading\n\nSome **bold** words & more."
    )
    assert post.excerpt == "Heading Some bold words & more."


def test_a_long_excerpt_is_cut_at_a_word_with_an_ellipsis(author):
    post = services.create_post(author=author, title="T", content="word " * 200)
    assert len(post.excerpt) <= 300
    assert post.excerpt.endswith("word…")


def test_a_given_excerpt_is_kept(author):
    post = services.create_post(author=author, title="T", content="Body", excerpt="Mine")
    assert post.excerpt == "Mine"


def test_editing_the_content_refreshes_a_derived_excerpt(author):
    post = services.create_post(author=author, title="T", content="Old words")
    services.update_post(post=post, content="New words")
    assert post.excerpt == "New words"


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_blank_or_overlong_title_is_rejected_and_nothing_is_stored(author, title):
    with pytest.raises(InvalidInput) as error:
        services.create_post(author=author, title=title)
    assert "title" in error.value.field_errors
    assert not Post.objects.exists()


def test_content_over_two_mebibytes_is_rejected(author):
    with pytest.raises(InvalidInput) as error:
        services.create_post(author=author, title="Big", content="x" * (CONTENT_MAX_LENGTH + 1))
    assert "content" in error.value.field_errors


def test_view_counting_adds_one_in_the_database(author):
    post = services.create_post(author=author, title="Viewed", published=True)
    services.record_post_view(post_id=post.id)
    services.record_post_view(post_id=post.id)
    view_counts.flush()  # views counted in Redis reach the database in batches
    post.refresh_from_db()
    assert post.view_count == 2
