"""post.revisions, post.revision, post.restoreRevision and post.autosave: the rules of
post.update (the author or staff), bad input answered in the tRPC error shape, nothing changed."""

import pytest

from blog import services
from blog.models import Post, PostRevision

pytestmark = pytest.mark.django_db


def _revisions(post):
    return list(PostRevision.objects.filter(post=post).order_by("-saved_at", "-id"))


@pytest.fixture
def draft(author):
    post = services.create_post(author=author, title="Draft", content="one\ntwo\n")
    services.update_post(post=post, content="one\n2\n", saved_by=author)
    return post


def test_revisions_are_listed_newest_first_with_who_and_when(as_user, author, draft):
    data = as_user(author).query("post.revisions", {"postId": str(draft.id)}).data
    assert [item["kind"] for item in data["items"]] == ["saved", "created"]
    assert data["items"][0]["savedBy"]["name"] == "Ada Author"
    assert data["items"][0]["title"] == "Draft"
    assert "content" not in data["items"][0]
    assert data["nextCursor"] is None


def test_revisions_are_paginated(as_user, author, draft):
    caller = as_user(author)
    first = caller.query("post.revisions", {"postId": str(draft.id), "limit": 1}).data
    rest = caller.query(
        "post.revisions", {"postId": str(draft.id), "limit": 1, "cursor": first["nextCursor"]}
    ).data
    assert [first["items"][0]["kind"], rest["items"][0]["kind"]] == ["saved", "created"]
    assert rest["nextCursor"] is None


@pytest.mark.parametrize("count", [3, 30])
def test_a_page_of_revisions_costs_the_same_queries_at_any_size(
    as_user, author, django_assert_num_queries, count
):
    post = services.create_post(author=author, title="Long", content="0")
    for number in range(1, count):
        services.update_post(post=post, content=str(number) * 1000, saved_by=author)
    caller = as_user(author)
    caller.query("user.me")
    # session; user; the post and its tags; the page of revisions with who saved them
    with django_assert_num_queries(5):
        caller.query("post.revisions", {"postId": str(post.id), "limit": 50})


def test_a_revision_comes_with_its_diff_against_the_one_before(as_user, author, draft):
    newest = _revisions(draft)[0]
    data = (
        as_user(author).query("post.revision", {"postId": str(draft.id), "id": str(newest.id)}).data
    )
    assert data["revision"]["content"] == "one\n2\n"
    assert data["previousId"] == str(_revisions(draft)[1].id)
    rows = [(row["kind"], row["before"], row["after"]) for row in data["diff"]["rows"]]
    assert rows == [("same", "one", "one"), ("changed", "two", "2")]
    assert (data["diff"]["removedLines"], data["diff"]["addedLines"]) == (1, 1)


def test_a_revision_against_the_current_text(as_user, author, draft):
    oldest = _revisions(draft)[-1]
    data = (
        as_user(author)
        .query(
            "post.revision",
            {"postId": str(draft.id), "id": str(oldest.id), "against": "current"},
        )
        .data
    )
    assert data["against"] == "current"
    assert ("changed", "two", "2") in [
        (row["kind"], row["before"], row["after"]) for row in data["diff"]["rows"]
    ]


def test_restore_revision_writes_it_back(as_user, author, draft):
    oldest = _revisions(draft)[-1]
    answer = as_user(author).mutate(
        "post.restoreRevision", {"postId": str(draft.id), "revisionId": str(oldest.id)}
    )
    assert answer.data["content"] == "one\ntwo\n"
    assert Post.objects.get(id=draft.id).content == "one\ntwo\n"
    assert _revisions(draft)[0].kind == "restored"


def test_a_revision_of_another_post_is_not_found_and_nothing_changes(as_user, author, draft):
    other = services.create_post(author=author, title="Other", content="other")
    answer = as_user(author).mutate(
        "post.restoreRevision",
        {"postId": str(draft.id), "revisionId": str(_revisions(other)[0].id)},
    )
    assert answer.code == "NOT_FOUND"
    assert Post.objects.get(id=draft.id).content == "one\n2\n"
    assert len(_revisions(draft)) == 2


def test_a_pruned_revision_is_not_found(as_user, author, draft):
    oldest = _revisions(draft)[-1]
    PostRevision.objects.filter(id=oldest.id).delete()
    caller = as_user(author)
    given = {"postId": str(draft.id), "revisionId": str(oldest.id)}
    assert caller.mutate("post.restoreRevision", given).code == "NOT_FOUND"
    assert (
        caller.query("post.revision", {"postId": str(draft.id), "id": str(oldest.id)}).code
        == "NOT_FOUND"
    )


def test_another_users_draft_and_its_revisions_are_not_found(as_user, stranger, draft):
    caller = as_user(stranger)
    oldest = _revisions(draft)[-1]
    assert caller.query("post.revisions", {"postId": str(draft.id)}).code == "NOT_FOUND"
    given = {"postId": str(draft.id), "revisionId": str(oldest.id)}
    assert caller.mutate("post.restoreRevision", given).code == "NOT_FOUND"
    assert Post.objects.get(id=draft.id).content == "one\n2\n"


def test_another_users_published_post_is_forbidden_as_in_post_update(
    as_user, stranger, author, draft
):
    services.update_post(post=draft, published=True)
    caller = as_user(stranger)
    assert caller.query("post.revisions", {"postId": str(draft.id)}).code == "FORBIDDEN"
    assert caller.mutate("post.update", {"id": str(draft.id), "title": "x"}).code == "FORBIDDEN"


def test_signed_out_callers_are_unauthorized(trpc, draft):
    assert trpc.query("post.revisions", {"postId": str(draft.id)}).code == "UNAUTHORIZED"


@pytest.mark.parametrize(
    ("path", "given"),
    [
        ("post.revisions", {"postId": "not-a-uuid"}),
        ("post.revisions", {"postId": "00000000-0000-0000-0000-000000000000", "cursor": "junk"}),
        ("post.revision", {"postId": "00000000-0000-0000-0000-000000000000", "id": 5}),
        (
            "post.revision",
            {
                "postId": "00000000-0000-0000-0000-000000000000",
                "id": "00000000-0000-0000-0000-000000000000",
                "against": "tomorrow",
            },
        ),
    ],
)
def test_malformed_input_is_a_bad_request(as_user, author, path, given):
    assert as_user(author).query(path, given).code == "BAD_REQUEST"


def test_autosave_without_an_id_makes_a_draft_and_then_updates_it(as_user, author):
    caller = as_user(author)
    first = caller.mutate("post.autosave", {"title": "Typing", "content": "Hel"}).data
    post = Post.objects.get(id=first["id"])
    assert (post.published, post.content) == (False, "Hel")
    second = caller.mutate(
        "post.autosave",
        {
            "id": first["id"],
            "title": "Typing",
            "content": "Hello",
            "baseRevisionId": first["revisionId"],
        },
    ).data
    assert second["id"] == first["id"]
    assert Post.objects.get(id=first["id"]).content == "Hello"
    assert Post.objects.filter(author=author).count() == 1


def test_a_stale_autosave_is_a_conflict_and_changes_nothing(as_user, author, draft):
    stale = _revisions(draft)[-1]
    answer = as_user(author).mutate(
        "post.autosave",
        {
            "id": str(draft.id),
            "title": "Draft",
            "content": "lost?",
            "baseRevisionId": str(stale.id),
        },
    )
    assert answer.code == "CONFLICT"
    assert "changed elsewhere" in answer.error["message"]
    assert Post.objects.get(id=draft.id).content == "one\n2\n"


def test_a_published_post_is_not_autosaved(as_user, author, draft):
    services.update_post(post=draft, published=True)
    answer = as_user(author).mutate(
        "post.autosave",
        {
            "id": str(draft.id),
            "title": "Draft",
            "content": "half-typ",
            "baseRevisionId": str(_revisions(draft)[0].id),
        },
    )
    assert answer.code == "CONFLICT"
    assert Post.objects.get(id=draft.id).content == "one\n2\n"


def test_an_autosave_of_someone_elses_draft_is_not_found(as_user, stranger, draft):
    answer = as_user(stranger).mutate(
        "post.autosave", {"id": str(draft.id), "title": "Mine now", "content": ""}
    )
    assert answer.code == "NOT_FOUND"
    assert Post.objects.get(id=draft.id).title == "Draft"


def test_an_autosave_with_a_blank_title_names_the_field(as_user, author, draft):
    answer = as_user(author).mutate(
        "post.autosave",
        {
            "id": str(draft.id),
            "title": "   ",
            "content": "x",
            "baseRevisionId": str(_revisions(draft)[0].id),
        },
    )
    assert answer.code == "BAD_REQUEST"
    assert list(answer.error["data"]["fieldErrors"]) == ["title"]
