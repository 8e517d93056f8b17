"""Characters XML and HTML cannot carry are refused at input, with the field that held them."""

import pytest

from blog import services
from blog.models import Comment, Post
from lib.errors import InvalidInput
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "fields"),
    [
        ("title", {"title": "a\x01b"}),
        ("content", {"title": "t", "content": "x\x0by"}),
        ("excerpt", {"title": "t", "excerpt": "e\x1f"}),
        ("slug", {"title": "t", "slug": "s\x02"}),
        ("content", {"title": "t", "content": "bad \ufffe"}),
    ],
)
def test_a_new_post_with_control_characters_is_refused_naming_the_field(author, field, fields):
    with pytest.raises(InvalidInput) as raised:
        services.create_post(author=author, **fields)
    assert field in raised.value.field_errors
    assert not Post.objects.exists()


@pytest.mark.parametrize("field", ["title", "content", "excerpt"])
def test_an_update_with_control_characters_is_refused_and_nothing_changes(author, field):
    post = services.create_post(author=author, title="Clean", content="Clean", excerpt="Clean")
    with pytest.raises(InvalidInput) as raised:
        services.update_post(post=Post.objects.get(id=post.id), **{field: "a\x01b"})
    assert field in raised.value.field_errors
    assert getattr(Post.objects.get(id=post.id), field) == "Clean"


def test_a_comment_with_control_characters_is_refused(reader):
    post = PostFactory()
    with pytest.raises(InvalidInput) as raised:
        services.create_comment(author=reader, post=post, content="hi\x07")
    assert "content" in raised.value.field_errors
    assert not Comment.objects.exists()


def test_tabs_and_newlines_are_still_welcome(author):
    post = services.create_post(author=author, title="t", content="a\tb\r\nc")
    assert Post.objects.get(id=post.id).content == "a\tb\r\nc"
