"""What crawlers and link previews read: robots.txt pointing at the sitemap, and a post's
schema.org BlogPosting."""

import json
import re

import pytest

from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_paths(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
    for private in ("/write/", "/admin/", "/api/", "/auth/"):
        assert f"Disallow: {private}" in text
    assert "Disallow: /posts/" not in text
    assert client.get(text.split("Sitemap: ")[1].strip()).status_code == 200


def test_a_post_page_describes_the_post_as_a_blog_posting(client):
    post = PostFactory(published=True, title="Caching </script><script>alert(1)</script> & more")
    CommentFactory.create_batch(2, post=post)
    response = client.get(post.get_absolute_url())
    html = response.content.decode()
    (found,) = LD_JSON.findall(html)
    assert "</script>" not in found  # the title cannot close the element
    data = json.loads(found)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == post.title
    assert data["url"] == f"http://testserver{post.get_absolute_url()}"
    assert data["author"]["name"] == post.author.display_name
    assert data["author"]["url"] == f"http://testserver{post.author.get_absolute_url()}"
    assert data["datePublished"].startswith(post.published_at.date().isoformat())
    assert data["commentCount"] == 2


def test_a_draft_page_carries_no_structured_data(client):
    post = PostFactory(published=False)
    client.force_login(post.author)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert not LD_JSON.findall(response.content.decode())
