"""Per-author and per-tag Atom feeds: published posts only, newest first, summaries by default
and the post's sanitised HTML with ?full=1; linked from the author's and the tag's pages."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from blog import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed, written by the test)
    return feed, feed.findall(f"{ATOM}entry")


def _publish(author, title, tags=(), content="Words."):
    return services.create_post(
        author=author, title=title, content=content, tags=list(tags), published=True
    )


def test_an_authors_feed_lists_their_published_posts_newest_first(client, author, stranger):
    _publish(author, "First")
    _publish(author, "Second", ["django"])
    _publish(stranger, "Not theirs")
    services.create_post(author=author, title="Their draft")
    feed, entries = _entries(client, reverse("blog:author-feed", kwargs={"user_id": author.id}))
    assert feed.findtext(f"{ATOM}title") == "Inkwell: posts by Ada Author"
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Second", "First"]
    assert entries[0].find(f"{ATOM}category").get("term") == "django"


def test_a_tags_feed_lists_the_tags_published_posts(client, author, stranger):
    _publish(author, "Tagged one", ["Django"])
    _publish(stranger, "Tagged two", ["django"])
    _publish(author, "Untagged")
    services.create_post(author=author, title="Tagged draft", tags=["django"])
    feed, entries = _entries(client, reverse("blog:tag-feed", kwargs={"slug": "django"}))
    assert feed.findtext(f"{ATOM}title") == "Inkwell: posts tagged Django"
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Tagged two", "Tagged one"]


@pytest.mark.parametrize("feed", ["author", "tag", "site"])
def test_feeds_carry_summaries_and_full_sanitised_content_when_asked(client, author, feed):
    _publish(author, "Rich", ["rich"], content="**Bold** <script>alert(1)</script> end")
    url = {
        "author": reverse("blog:author-feed", kwargs={"user_id": author.id}),
        "tag": reverse("blog:tag-feed", kwargs={"slug": "rich"}),
        "site": reverse("blog:feed"),
    }[feed]
    _, (summary_only,) = _entries(client, url)
    assert summary_only.find(f"{ATOM}content") is None
    assert summary_only.find(f"{ATOM}summary").get("type") == "html"
    _, (full,) = _entries(client, url, full="1")
    content = full.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<strong>Bold</strong>" in content.text
    assert "<script>" not in content.text


@pytest.mark.parametrize("size", [1, 20])
def test_a_full_tag_feed_runs_the_same_queries_for_any_number_of_posts(
    client, author, django_assert_num_queries, size
):
    for n in range(size):
        _publish(author, f"Post {n}", ["counted"])
    # 1 the tag, 2 the posts with content, authors and comment counts, 3 their tags
    with django_assert_num_queries(3):
        client.get(reverse("blog:tag-feed", kwargs={"slug": "counted"}), {"full": "1"})


def test_unknown_and_inactive_authors_and_unknown_tags_have_no_feed(client, author):
    gone = UserFactory(is_active=False)
    services.create_post(author=author, title="Draft only", tags=["drafted"])
    for url in (
        reverse("blog:author-feed", kwargs={"user_id": gone.id}),
        "/authors/00000000-0000-0000-0000-000000000000/feed/",
        reverse("blog:tag-feed", kwargs={"slug": "nothing"}),
        reverse("blog:tag-feed", kwargs={"slug": "drafted"}),
    ):
        assert client.get(url).status_code == 404


def test_author_and_tag_pages_link_their_feeds(client, author):
    _publish(author, "Linked", ["linked"])
    author_page = client.get(author.get_absolute_url()).content.decode()
    tag_page = client.get(reverse("blog:tag", kwargs={"slug": "linked"})).content.decode()
    author_feed = reverse("blog:author-feed", kwargs={"user_id": author.id})
    alternate = (
        '<link rel="alternate" type="application/atom+xml" title="Inkwell: posts {}" href="{}">'
    )
    assert alternate.format("by Ada Author", author_feed) in author_page
    assert alternate.format("tagged linked", "/tags/linked/feed/") in tag_page
