"""A tag that only drafts carry is nobody's business: not its page, feed, place in the tag
list or sitemap, suggestions, counts or filters reveal it, to anyone but the draft's author
(who sees it in their own editor's suggestions)."""

import pytest
from django.urls import reverse

from blog import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(author):
    """A draft filed under "Secret Project", and a published post under "Public"."""
    services.create_post(author=author, title="Secret draft", tags=["Secret Project", "Public"])
    services.create_post(author=author, title="Out", tags=["Public"], published=True)


@pytest.mark.parametrize("viewer", [None, "stranger", "reader"])
def test_no_page_reveals_a_tag_only_a_draft_carries(client, request, secret, viewer):
    if viewer:
        client.force_login(request.getfixturevalue(viewer))
    assert client.get(reverse("blog:tag", kwargs={"slug": "secret-project"})).status_code == 404
    assert (
        client.get(reverse("blog:tag-feed", kwargs={"slug": "secret-project"})).status_code == 404
    )
    tag_list = client.get(reverse("blog:tags")).content.decode()
    assert "Secret" not in tag_list and "Public" in tag_list
    sitemap = client.get(reverse("blog:sitemap-section", kwargs={"section": "tags"})).content
    assert b"/tags/public/" in sitemap and b"secret" not in sitemap
    found = client.get(reverse("blog:search"), {"q": "secret", "tag": "secret-project"})
    assert "Secret draft" not in found.content.decode()


def test_counts_leave_drafts_out(client, secret):
    body = client.get(reverse("blog:tag", kwargs={"slug": "public"})).content.decode()
    assert "1 post ·" in body


def test_the_tag_pages_forget_a_post_once_it_is_unpublished(client, author):
    post = services.create_post(author=author, title="Briefly", tags=["fleeting"], published=True)
    assert client.get(reverse("blog:tag", kwargs={"slug": "fleeting"})).status_code == 200
    services.update_post(post=post, published=False)
    assert client.get(reverse("blog:tag", kwargs={"slug": "fleeting"})).status_code == 404
    assert "fleeting" not in client.get(reverse("blog:tags")).content.decode()


def test_the_sitemap_index_lists_the_tags_section(client, secret):
    index = client.get(reverse("blog:sitemap")).content.decode()
    assert "sitemap-tags.xml" in index
