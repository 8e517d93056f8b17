"""A row holding characters XML cannot carry, written around the services, breaks neither the
feed nor the sitemap."""

import pytest
from django.urls import reverse

from blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tainted_post():
    post = PostFactory(title="clean")
    Post.objects.filter(id=post.id).update(title="a\x01b", excerpt="e\x0bx")
    return post


def test_the_feed_carries_the_post_without_the_characters(client, tainted_post):
    response = client.get(reverse("blog:feed"))
    assert response.status_code == 200
    assert "<title>ab</title>" in response.content.decode()


def test_the_sitemap_lists_the_post(client, tainted_post):
    response = client.get(reverse("blog:sitemap-section", kwargs={"section": "posts"}))
    assert response.status_code == 200
    assert tainted_post.slug in response.content.decode()
