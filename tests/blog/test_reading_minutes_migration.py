"""Migration 0010 renders every post again, so HTML stored before task lists, footnotes and
highlighted code shows them, and stores each post's reading time."""

import pytest

from tests.blog.migration_states import migrate, migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("blog", "0009_post_slug")]
AFTER = [("blog", "0010_post_reading_minutes")]


@pytest.fixture
def old_apps():
    with migrated_to(BEFORE) as apps:
        yield apps


def test_old_html_is_rendered_again_with_its_reading_time(old_apps):
    author = old_apps.get_model("accounts", "User").objects.create(email="old@example.com")
    old_apps.get_model("blog", "Post").objects.create(
        author=author,
        title="t",
        slug="t",
        content="- [x] done\n\nA claim[^1].\n\n[^1]: Its source.\n\n" + "word " * 700,
        content_html="<ul>\n<li>[x] done</li>\n</ul>\n<p>A claim[^1].</p>",
    )

    new_apps = migrate(AFTER)

    post = new_apps.get_model("blog", "Post").objects.get(slug="t")
    assert 'type="checkbox"' in post.content_html and 'id="fn-1"' in post.content_html
    assert post.reading_minutes == 3
