"""The migrations of issues 10-11 bring rows stored before them up to the new rules: depths
filled, uncarriable characters removed, HTML rendered."""

import pytest

from tests.blog.migration_states import migrate, migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("blog", "0002_post_search_index")]


@pytest.fixture
def old_apps():
    with migrated_to(BEFORE) as apps:
        yield apps


def _post(apps, **fields):
    author = apps.get_model("accounts", "User").objects.create(email="old@example.com")
    return apps.get_model("blog", "Post").objects.create(author=author, **fields)


def test_stored_comments_get_their_depth(old_apps):
    post = _post(old_apps, title="t", slug="t", published=True)
    Comment = old_apps.get_model("blog", "Comment")
    root = Comment.objects.create(post=post, author=post.author, content="a")
    child = Comment.objects.create(post=post, author=post.author, content="b", parent=root)
    grandchild = Comment.objects.create(post=post, author=post.author, content="c", parent=child)
    new_apps = migrate([("blog", "0003_comment_depth")])
    depths = dict(new_apps.get_model("blog", "Comment").objects.values_list("id", "depth"))
    assert [depths[c.id] for c in (root, child, grandchild)] == [0, 1, 2]


def test_stored_text_loses_the_characters_feeds_cannot_carry(old_apps):
    post = _post(old_apps, title="a\x01b", slug="ab", content="x\x0by\n", excerpt="e\x1f")
    old_apps.get_model("blog", "Comment").objects.create(
        post=post, author=post.author, content="c\x08d"
    )
    new_apps = migrate([("blog", "0004_carriable_text")])
    stored = new_apps.get_model("blog", "Post").objects.get(id=post.id)
    assert (stored.title, stored.content, stored.excerpt) == ("ab", "xy\n", "e")
    assert new_apps.get_model("blog", "Comment").objects.get().content == "cd"


def test_stored_posts_get_their_html(old_apps):
    post = _post(old_apps, title="t", slug="t", content="hello *world*")
    new_apps = migrate([("blog", "0005_post_content_html")])
    stored = new_apps.get_model("blog", "Post").objects.get(id=post.id)
    assert stored.content_html == "<p>hello <em>world</em></p>\n"
