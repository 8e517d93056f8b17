"""Search finds published posts by their words, on either database, with marked snippets."""

import pytest

from blog import selectors
from blog.rendering import highlight_html
from lib.errors import InvalidInput
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_search_finds_posts_by_title_or_content_and_never_drafts(reader):
    by_title = PostFactory(title="Caching strategies", content="Plain text.")
    by_content = PostFactory(title="Notes", content="Some words about caching here.")
    PostFactory(title="Caching draft", published=False)
    PostFactory(title="Unrelated", content="Nothing to see.")
    page = selectors.search_posts(viewer=reader, query="caching", limit=10)
    assert {post.id for post in page.items} == {by_title.id, by_content.id}


def test_search_snippets_mark_the_matches(reader):
    PostFactory(title="Notes", content="Some words about caching here.")
    (post,) = selectors.search_posts(viewer=reader, query="caching", limit=10).items
    assert "\x02caching\x03" in post.headline.lower()


def test_search_pages_through_results_without_repeats(reader):
    PostFactory.create_batch(5, title="Indexes", content="indexes everywhere")
    first = selectors.search_posts(viewer=reader, query="indexes", limit=3)
    second = selectors.search_posts(
        viewer=reader, query="indexes", limit=3, cursor=first.next_cursor
    )
    assert len(first.items) == 3 and len(second.items) == 2 and second.next_cursor is None
    assert not {p.id for p in first.items} & {p.id for p in second.items}


def test_a_forged_cursor_is_invalid_input(reader):
    with pytest.raises(InvalidInput):
        selectors.search_posts(viewer=reader, query="x", limit=3, cursor="bm90IGpzb24")


def test_snippets_show_words_not_markdown_and_escape_the_rest():
    snippet = "## Why \x02caching\x03 | step | *matters* see [the docs](https://x.example) <b>"
    assert highlight_html(snippet) == (
        "Why <mark>caching</mark> step matters see the docs &lt;b&gt;"
    )
