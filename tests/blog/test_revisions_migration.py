"""Migration 0013 gives every existing post one revision of its current text, saved by its
author at its last change, so its history starts somewhere; in batches."""

import pytest

from tests.blog.migration_states import migrate, migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("blog", "0012_post_publish_at")]
AFTER = [("blog", "0013_post_revisions")]


@pytest.fixture
def old_apps():
    with migrated_to(BEFORE) as apps:
        yield apps


def test_every_existing_post_gets_its_first_revision(old_apps, monkeypatch):
    migration = __import__("blog.migrations.0013_post_revisions", fromlist=["BATCH_SIZE"])
    monkeypatch.setattr(migration, "BATCH_SIZE", 2)  # several batches and a partial last one
    User = old_apps.get_model("accounts", "User")
    Post = old_apps.get_model("blog", "Post")
    author = User.objects.create(email="old@example.com")
    for number in range(5):
        Post.objects.create(
            author=author,
            title=f"Old {number}",
            slug=f"old-{number}",
            content=f"Words {number}",
            excerpt=f"Teaser {number}",
        )

    new_apps = migrate(AFTER)

    revisions = new_apps.get_model("blog", "PostRevision").objects.select_related("post")
    assert revisions.count() == 5
    for revision in revisions:
        post = revision.post
        assert (revision.title, revision.content, revision.excerpt) == (
            post.title,
            post.content,
            post.excerpt,
        )
        assert (revision.saved_by_id, revision.kind) == (author.id, "saved")
        assert revision.saved_at == post.updated_at
