"""A draft is seen by its author and staff only: never listed, read, found or commented on."""

import pytest

from blog.models import Comment
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(author):
    return PostFactory(author=author, title="Secret plans", content="secret", published=False)


def _ids(answer):
    return [item["id"] for item in answer.data["items"]]


def test_drafts_are_never_listed_for_others(trpc, as_user, reader, editor, draft):
    for caller in (trpc, as_user(reader), as_user(editor)):
        assert _ids(caller.query("post.list")) == []
        assert _ids(caller.query("post.list", {"published": False})) == []


def test_published_false_lists_the_caller_s_own_drafts(as_user, author, draft):
    assert _ids(as_user(author).query("post.list", {"published": False})) == [str(draft.id)]


def test_a_draft_is_not_found_by_slug_or_id_for_others(trpc, as_user, reader, draft):
    for caller in (trpc, as_user(reader)):
        assert caller.query("post.bySlug", {"slug": draft.slug}).code == "NOT_FOUND"
        assert caller.query("post.byId", {"id": str(draft.id)}).code == "NOT_FOUND"
    draft.refresh_from_db()
    assert draft.view_count == 0


def test_its_author_and_staff_read_a_draft(as_user, author, editor, draft):
    assert as_user(author).query("post.bySlug", {"slug": draft.slug}).data["id"] == str(draft.id)
    assert as_user(editor).query("post.byId", {"id": str(draft.id)}).data["title"] == "Secret plans"


def test_search_never_finds_a_draft(trpc, as_user, author, reader, draft):
    for caller in (trpc, as_user(reader), as_user(author)):
        assert _ids(caller.query("post.search", {"query": "secret"})) == []


def test_comments_of_a_draft_are_hidden_and_closed(trpc, as_user, reader, draft):
    assert trpc.query("comment.list", {"postId": str(draft.id)}).code == "NOT_FOUND"
    answer = as_user(reader).mutate("comment.create", {"postId": str(draft.id), "content": "Hi"})
    assert answer.code == "NOT_FOUND"
    assert not Comment.objects.exists()
