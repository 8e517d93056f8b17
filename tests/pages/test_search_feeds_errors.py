"""Search page, Atom feed, sitemap and the error pages."""

import pytest
from django.urls import reverse

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_search_shows_highlighted_escaped_snippets(client):
    PostFactory(title="Notes", content="<b>caching</b> is hard")
    body = client.get(reverse("blog:search"), {"q": "caching"}).content.decode()
    assert "<mark>caching</mark>" in body
    assert "<b>" not in body.split('class="headline"')[1].split("</p>")[0]


def test_search_without_results_says_so(client):
    body = client.get(reverse("blog:search"), {"q": "nothing-matches-this"}).content.decode()
    assert "No posts match" in body


def test_an_overlong_search_is_a_clear_error(client):
    response = client.get(reverse("blog:search"), {"q": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()


def test_a_forged_search_cursor_is_a_clear_error(client):
    response = client.get(reverse("blog:search"), {"q": "x", "after": "garbage"})
    assert response.status_code == 400


def test_the_atom_feed_lists_published_posts_only(client):
    PostFactory(title="Public news")
    PostFactory(title="Secret draft", published=False)
    response = client.get(reverse("blog:feed"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Public news" in body and "Secret draft" not in body


def test_the_sitemap_lists_published_posts_only(client):
    public = PostFactory()
    draft = PostFactory(published=False)
    index = client.get(reverse("blog:sitemap")).content.decode()
    assert "sitemap-posts.xml" in index
    body = client.get(reverse("blog:sitemap-section", kwargs={"section": "posts"})).content.decode()
    assert public.slug in body and draft.slug not in body


def test_the_404_page_is_the_sites_own(client):
    response = client.get("/posts/missing/")
    assert response.status_code == 404
    assert "There is nothing here" in response.content.decode()


def test_pages_carry_canonical_and_open_graph_tags(client):
    post = PostFactory(title="Shared title")
    body = client.get(post.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="http://testserver{post.get_absolute_url()}">' in body
    assert '<meta property="og:title" content="Shared title">' in body


def test_a_search_cursor_past_the_ranked_candidates_is_a_clear_error(client):
    from blog.pagination import encode_offset

    response = client.get(reverse("blog:search"), {"q": "x", "after": encode_offset(10**25)})
    assert response.status_code == 400


def test_a_search_with_a_nul_character_is_a_clear_error(client):
    response = client.get(reverse("blog:search"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_cursor_at_the_edge_of_time_is_not_found_rather_than_a_crash(client):
    from blog.pagination import _pack

    cursor = _pack({"t": "0001-01-01T00:00:00+14:00", "id": "00000000-0000-0000-0000-000000000000"})
    assert client.get(reverse("blog:home"), {"after": cursor}).status_code == 404


def test_a_forged_dashboard_cursor_is_a_bad_request(client, author):
    client.force_login(author)
    assert client.get(reverse("blog:dashboard"), {"after": "zzz"}).status_code == 400


def test_the_feed_escapes_excerpts_it_declares_as_html(client):
    PostFactory(title="Sneaky", excerpt="<img src=x onerror=alert(1)>")
    body = client.get(reverse("blog:feed")).content.decode()
    assert "<img src=x" not in body.replace("&lt;img", "")
    assert "&amp;lt;img src=x onerror=alert(1)&amp;gt;" in body
