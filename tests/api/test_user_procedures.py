"""user.me, user.byId and user.updateProfile: your own profile, and others' without the email."""

import pytest

pytestmark = pytest.mark.django_db


def test_me_is_the_caller_s_profile(as_user, author):
    data = as_user(author).query("user.me").data
    assert data == {
        "id": str(author.id),
        "email": "author@example.com",
        "name": "Ada Author",
        "avatarUrl": "",
        "bio": "",
        "createdAt": data["createdAt"],
    }


def test_me_needs_a_signed_in_caller(trpc):
    answer = trpc.query("user.me")
    assert (answer.status, answer.code) == (401, "UNAUTHORIZED")


def test_by_id_is_the_public_profile_without_email(trpc, author):
    data = trpc.query("user.byId", {"id": str(author.id)}).data
    assert data["name"] == "Ada Author"
    assert "email" not in data


def test_by_id_of_nobody_is_not_found(trpc):
    answer = trpc.query("user.byId", {"id": "00000000-0000-0000-0000-000000000001"})
    assert answer.code == "NOT_FOUND"


def test_update_profile_changes_the_given_fields(as_user, author):
    data = (
        as_user(author)
        .mutate(
            "user.updateProfile",
            {"bio": "Writes things.", "avatarUrl": "https://example.com/a.png"},
        )
        .data
    )
    author.refresh_from_db()
    assert (author.name, author.bio, author.avatar_url) == (
        "Ada Author",
        "Writes things.",
        "https://example.com/a.png",
    )
    assert data["avatarUrl"] == "https://example.com/a.png"


@pytest.mark.parametrize(
    ("given", "field"),
    [({"avatarUrl": "javascript:alert(1)"}, "avatarUrl"), ({"name": "n" * 121}, "name"),
     ({"bio": "b" * 2001}, "bio"), ({"name": 5}, "name")],
)  # fmt: skip
def test_update_profile_rejects_bad_input(as_user, author, given, field):
    answer = as_user(author).mutate("user.updateProfile", given)
    assert answer.code == "BAD_REQUEST"
    assert field in answer.error["data"]["fieldErrors"]
    author.refresh_from_db()
    assert author.avatar_url == ""


def test_update_profile_needs_a_signed_in_caller(trpc):
    assert trpc.mutate("user.updateProfile", {"name": "x"}).code == "UNAUTHORIZED"
