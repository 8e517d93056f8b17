"""Comments over tRPC: threads as trees, replies on the same post, author-or-staff changes."""

import pytest

from blog.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_the_thread_comes_back_as_a_tree(trpc, author, reader):
    post = PostFactory(author=author)
    root = CommentFactory(post=post, author=reader, content="Root")
    reply = CommentFactory(post=post, author=author, parent=root, content="Reply")
    CommentFactory(post=post, author=reader, parent=reply, content="Deep")
    tree = trpc.query("comment.list", {"postId": str(post.id)}).data
    assert len(tree) == 1
    node = tree[0]
    assert set(node) == {
        "id", "content", "author", "parentId", "isDeleted", "createdAt", "updatedAt", "replies",
    }  # fmt: skip
    assert (node["content"], node["parentId"]) == ("Root", None)
    assert node["replies"][0]["content"] == "Reply"
    assert node["replies"][0]["parentId"] == str(root.id)
    assert node["replies"][0]["replies"][0]["content"] == "Deep"
    assert node["author"]["name"] == "Rey Reader"


def test_create_adds_a_comment_and_a_reply(as_user, author, reader):
    post = PostFactory(author=author)
    caller = as_user(reader)
    top = caller.mutate("comment.create", {"postId": str(post.id), "content": " First "}).data
    reply = caller.mutate(
        "comment.create", {"postId": str(post.id), "content": "Again", "parentId": top["id"]}
    ).data
    assert (top["content"], top["postId"], top["parentId"]) == ("First", str(post.id), None)
    assert reply["parentId"] == top["id"]
    assert Comment.objects.filter(post=post, author=reader).count() == 2


def test_a_reply_to_a_comment_on_another_post_is_refused(as_user, reader):
    post, other = PostFactory(), PostFactory()
    elsewhere = CommentFactory(post=other)
    answer = as_user(reader).mutate(
        "comment.create", {"postId": str(post.id), "content": "x", "parentId": str(elsewhere.id)}
    )
    assert answer.code == "BAD_REQUEST"
    assert "parentId" in answer.error["data"]["fieldErrors"]
    assert not Comment.objects.filter(post=post).exists()


@pytest.mark.parametrize(
    ("given", "field"),
    [({"content": "x"}, "postId"), ({"content": ""}, "content"),
     ({"content": "x" * 10_001}, "content"), ({"content": "x", "parentId": "7"}, "parentId")],
)  # fmt: skip
def test_create_rejects_bad_input(as_user, reader, given, field):
    post = PostFactory()
    if field != "postId":
        given = {"postId": str(post.id), **given}
    answer = as_user(reader).mutate("comment.create", given)
    assert field in answer.error["data"]["fieldErrors"]
    assert not Comment.objects.exists()


def test_anonymous_callers_cannot_comment(trpc):
    post = PostFactory()
    answer = trpc.mutate("comment.create", {"postId": str(post.id), "content": "x"})
    assert answer.code == "UNAUTHORIZED"


@pytest.mark.parametrize(("who", "expected"), [("reader", 200), ("stranger", 403), ("editor", 200)])
def test_update_is_for_the_author_or_staff(as_user, reader, stranger, editor, who, expected):
    comment = CommentFactory(author=reader, content="Before")
    caller = as_user({"reader": reader, "stranger": stranger, "editor": editor}[who])
    answer = caller.mutate("comment.update", {"id": str(comment.id), "content": "After"})
    comment.refresh_from_db()
    assert answer.status == expected
    assert comment.content == ("After" if expected == 200 else "Before")


def test_update_rejects_blank_content(as_user, reader):
    comment = CommentFactory(author=reader)
    answer = as_user(reader).mutate("comment.update", {"id": str(comment.id), "content": " "})
    assert "content" in answer.error["data"]["fieldErrors"]


def test_deleting_a_comment_with_replies_keeps_the_thread_s_shape(trpc, as_user, reader, author):
    post = PostFactory(author=author)
    root = CommentFactory(post=post, author=reader, content="Root")
    CommentFactory(post=post, author=author, parent=root, content="Reply")
    assert as_user(reader).mutate("comment.delete", {"id": str(root.id)}).data == {
        "id": str(root.id)
    }
    tree = trpc.query("comment.list", {"postId": str(post.id)}).data
    assert (tree[0]["isDeleted"], tree[0]["content"]) == (True, "")
    assert tree[0]["replies"][0]["content"] == "Reply"


def test_delete_by_a_stranger_is_forbidden_and_by_staff_allowed(as_user, reader, stranger, editor):
    comment = CommentFactory(author=reader)
    assert as_user(stranger).mutate("comment.delete", {"id": str(comment.id)}).code == "FORBIDDEN"
    assert Comment.objects.filter(id=comment.id).exists()
    assert as_user(editor).mutate("comment.delete", {"id": str(comment.id)}).status == 200
    assert not Comment.objects.filter(id=comment.id).exists()
