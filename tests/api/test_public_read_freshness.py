"""A cached public read is never stale after a write: every write path, through its service or
its procedure, is seen by the very next post.list and comment.list (blog.read_cache)."""

import pytest

from blog import services
from blog.selectors import comment_for_edit, post_for_edit, published_post
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_READ_CACHE_SECONDS = 60


@pytest.fixture
def write(as_user, author, django_capture_on_commit_callbacks, request):
    """Perform a write as ``author`` through its service or its procedure (the test's
    parameter), committing it: the after-commit callbacks run as a commit would run them."""
    caller = as_user(author)

    def perform(service, procedure: str, data: dict) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            if request.node.callspec.params["route"] == "service":
                service()
            else:
                answer = caller.mutate(procedure, data)
                assert answer.status == 200, answer.body

    return perform


def listed(trpc) -> dict[str, dict]:
    return {item["id"]: item for item in trpc.query("post.list").data["items"]}


def comments(trpc, post) -> list[str]:
    return [
        comment["content"] for comment in trpc.query("comment.list", {"postId": str(post.id)}).data
    ]


ROUTES = pytest.mark.parametrize("route", ["service", "procedure"])


@ROUTES
def test_a_created_post_is_listed_at_once(trpc, author, write, route):
    listed(trpc)
    write(
        lambda: services.create_post(author=author, title="Fresh", published=True),
        "post.create",
        {"title": "Fresh", "published": True},
    )
    assert [item["title"] for item in listed(trpc).values()] == ["Fresh"]


@ROUTES
def test_a_published_draft_is_listed_at_once(trpc, author, write, route):
    draft = PostFactory(author=author, published=False)
    assert listed(trpc) == {}
    write(
        lambda: services.update_post(
            post=post_for_edit(user=author, post_id=draft.id), published=True
        ),
        "post.update",
        {"id": str(draft.id), "published": True},
    )
    assert list(listed(trpc)) == [str(draft.id)]


@ROUTES
def test_an_updated_title_is_listed_at_once(trpc, author, write, route):
    post = PostFactory(author=author, title="Old")
    assert listed(trpc)[str(post.id)]["title"] == "Old"
    write(
        lambda: services.update_post(post=post_for_edit(user=author, post_id=post.id), title="New"),
        "post.update",
        {"id": str(post.id), "title": "New"},
    )
    assert listed(trpc)[str(post.id)]["title"] == "New"


@ROUTES
def test_an_unpublished_post_and_its_comments_are_gone_at_once(trpc, author, write, route):
    post = PostFactory(author=author)
    CommentFactory(post=post, content="Seen")
    assert str(post.id) in listed(trpc)
    assert comments(trpc, post) == ["Seen"]
    write(
        lambda: services.update_post(
            post=post_for_edit(user=author, post_id=post.id), published=False
        ),
        "post.update",
        {"id": str(post.id), "published": False},
    )
    assert listed(trpc) == {}
    assert trpc.query("comment.list", {"postId": str(post.id)}).code == "NOT_FOUND"


@ROUTES
def test_a_deleted_post_and_its_comments_are_gone_at_once(trpc, author, write, route):
    post = PostFactory(author=author)
    CommentFactory(post=post)
    listed(trpc)
    comments(trpc, post)
    write(
        lambda: services.delete_post(post=post_for_edit(user=author, post_id=post.id)),
        "post.delete",
        {"id": str(post.id)},
    )
    assert listed(trpc) == {}
    assert trpc.query("comment.list", {"postId": str(post.id)}).code == "NOT_FOUND"


@ROUTES
def test_a_created_comment_is_shown_and_counted_at_once(trpc, author, write, route):
    post = PostFactory()
    assert listed(trpc)[str(post.id)]["commentCount"] == 0
    assert comments(trpc, post) == []
    write(
        lambda: services.create_comment(
            author=author, post=published_post(post_id=post.id), content="Hi"
        ),
        "comment.create",
        {"postId": str(post.id), "content": "Hi"},
    )
    assert comments(trpc, post) == ["Hi"]
    assert listed(trpc)[str(post.id)]["commentCount"] == 1


@ROUTES
def test_an_edited_comment_is_shown_at_once(trpc, author, write, route):
    comment = CommentFactory(author=author, content="Before")
    assert comments(trpc, comment.post) == ["Before"]
    write(
        lambda: services.update_comment(
            comment=comment_for_edit(user=author, comment_id=comment.id), content="After"
        ),
        "comment.update",
        {"id": str(comment.id), "content": "After"},
    )
    assert comments(trpc, comment.post) == ["After"]


@ROUTES
def test_a_deleted_comment_is_gone_and_uncounted_at_once(trpc, author, write, route):
    comment = CommentFactory(author=author, content="Regret")
    assert listed(trpc)[str(comment.post_id)]["commentCount"] == 1
    assert comments(trpc, comment.post) == ["Regret"]
    write(
        lambda: services.delete_comment(
            comment=comment_for_edit(user=author, comment_id=comment.id)
        ),
        "comment.delete",
        {"id": str(comment.id)},
    )
    assert comments(trpc, comment.post) == []
    assert listed(trpc)[str(comment.post_id)]["commentCount"] == 0


def test_every_limit_of_the_first_page_is_fresh_after_a_write(trpc, author, write_any_limit):
    PostFactory.create_batch(3)
    assert len(trpc.query("post.list", {"limit": 2}).data["items"]) == 2
    assert len(trpc.query("post.list", {"limit": 50}).data["items"]) == 3
    write_any_limit(lambda: services.create_post(author=author, title="Newest", published=True))
    assert trpc.query("post.list", {"limit": 2}).data["items"][0]["title"] == "Newest"
    assert len(trpc.query("post.list", {"limit": 50}).data["items"]) == 4


@pytest.fixture
def write_any_limit(django_capture_on_commit_callbacks):
    def perform(service) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            service()

    return perform
