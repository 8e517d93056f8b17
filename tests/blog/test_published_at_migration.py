"""Migration 0008 gives every post already published a publication time, its creation time
(the best known); drafts stay unpublished, with none."""

from datetime import UTC, datetime

import pytest

from tests.blog.migration_states import migrate, migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("blog", "0007_post_search_document")]
AFTER = [("blog", "0008_post_published_at")]


@pytest.fixture
def old_apps():
    with migrated_to(BEFORE) as apps:
        yield apps


def test_published_posts_are_taken_as_published_when_they_were_created(old_apps):
    author = old_apps.get_model("accounts", "User").objects.create(email="old@example.com")
    Post = old_apps.get_model("blog", "Post")
    created = {
        "old-published": datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        "old-draft": datetime(2024, 4, 1, tzinfo=UTC),
    }
    for slug, moment in created.items():
        post = Post.objects.create(
            author=author, title=slug, slug=slug, published=slug.endswith("published")
        )
        Post.objects.filter(id=post.id).update(created_at=moment)

    new_apps = migrate(AFTER)

    stored = dict(new_apps.get_model("blog", "Post").objects.values_list("slug", "published_at"))
    assert stored == {"old-published": created["old-published"], "old-draft": None}
