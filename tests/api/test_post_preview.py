"""post.preview renders the editor's content exactly as the post's page would show it: the same
sanitised HTML, within a save's render budget, at most POST_PREVIEW_RATE per author."""

import pytest

from blog import services
from blog.models import Post
from blog.rendering import post_html

pytestmark = pytest.mark.django_db

CONTENT = (
    "# Title\n\n**Bold** <script>alert(1)</script> [link](javascript:alert(1))\n\n"
    "- [x] done\n\nNote[^1].\n\n[^1]: A footnote.\n\n```python\nprint('hi')\n```\n"
)


def test_the_preview_is_the_html_the_post_shows(as_user, author):
    html = as_user(author).mutate("post.preview", {"content": CONTENT}).data["html"]
    saved = services.create_post(author=author, title="Same", content=CONTENT)
    assert html == post_html(Post.objects.get(id=saved.id))
    assert "<strong>Bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_previewing_saves_nothing(as_user, author):
    as_user(author).mutate("post.preview", {"content": "Words."})
    assert not Post.objects.exists()


def test_anonymous_callers_cannot_preview(trpc):
    assert trpc.mutate("post.preview", {"content": "Words."}).code == "UNAUTHORIZED"


def test_content_over_the_render_budget_is_a_field_error(as_user, author, settings):
    settings.POST_RENDER_BUDGET_SECONDS = 0  # every rendering takes longer than that
    answer = as_user(author).mutate("post.preview", {"content": "Words."})
    assert answer.code == "BAD_REQUEST"
    assert answer.error["data"]["fieldErrors"] == {
        "content": ["This content takes too long to display; split it into smaller posts."]
    }


@pytest.mark.parametrize("content", [None, 5, "x" * (2 * 1024 * 1024 + 1), "bell \x07"])
def test_bad_content_is_a_field_error(as_user, author, content):
    answer = as_user(author).mutate("post.preview", {"content": content})
    assert answer.code == "BAD_REQUEST"
    assert list(answer.error["data"]["fieldErrors"]) == ["content"]


def test_previews_are_rate_limited_per_author(as_user, author, reader, settings):
    settings.POST_PREVIEW_RATE = "2/minute"
    caller = as_user(author)
    assert caller.mutate("post.preview", {"content": "one"}).data["html"] == "<p>one</p>\n"
    caller.mutate("post.preview", {"content": "two"})
    refused = caller.mutate("post.preview", {"content": "three"})
    assert refused.code == "TOO_MANY_REQUESTS"
    assert refused.headers["Retry-After"]
    # Another author's previews count apart.
    assert as_user(reader).mutate("post.preview", {"content": "mine"}).data["html"]
