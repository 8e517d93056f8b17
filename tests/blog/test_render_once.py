"""A post's Markdown is rendered once, when it is saved: views read the stored HTML, and
content that takes longer than POST_RENDER_BUDGET_SECONDS to render is refused."""

import pytest

from blog import rendering, services
from blog.models import Post
from lib.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_create_and_update_store_the_rendered_html(author):
    post = services.create_post(author=author, title="t", content="hello *world*")
    assert Post.objects.get(id=post.id).content_html == "<p>hello <em>world</em></p>\n"
    services.update_post(post=post, content="**bold**")
    assert Post.objects.get(id=post.id).content_html == "<p><strong>bold</strong></p>\n"


def test_reading_a_post_renders_no_markdown(client, author, monkeypatch):
    post = services.create_post(author=author, title="t", content="hello *world*", published=True)

    def refuse(text):
        raise AssertionError("rendered on read")

    monkeypatch.setattr(rendering, "render_markdown", refuse)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "<em>world</em>" in response.content.decode()


def test_content_over_the_render_budget_is_refused_naming_the_content(author, settings):
    settings.POST_RENDER_BUDGET_SECONDS = 0
    with pytest.raises(InvalidInput) as raised:
        services.create_post(author=author, title="t", content="| a |\n|---|\n| b |\n")
    assert "content" in raised.value.field_errors
    assert not Post.objects.exists()


def test_an_update_over_the_render_budget_keeps_the_stored_post(author, settings):
    post = services.create_post(author=author, title="t", content="before")
    settings.POST_RENDER_BUDGET_SECONDS = 0
    with pytest.raises(InvalidInput):
        services.update_post(post=Post.objects.get(id=post.id), content="after")
    stored = Post.objects.get(id=post.id)
    assert (stored.content, stored.content_html) == ("before", "<p>before</p>\n")
