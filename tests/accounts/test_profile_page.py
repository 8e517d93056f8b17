"""Editing one's profile in the browser: saved when valid, refused field by field when not."""

import pytest

from accounts.models import User


@pytest.mark.django_db
def test_profile_changes_are_saved(client, author):
    client.force_login(author)

    answer = client.post(
        "/profile/",
        {
            "name": "Ada L.",
            "bio": "Writes about engines.",
            "avatar_url": "https://img.example/a.png",
        },
    )

    assert answer["Location"] == "/profile/"
    stored = User.objects.get(pk=author.pk)
    assert (stored.name, stored.bio, stored.avatar_url) == (
        "Ada L.",
        "Writes about engines.",
        "https://img.example/a.png",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "avatar_url", ["javascript:alert(1)", "ftp://img.example/a.png", "not a url"]
)
def test_avatar_that_is_not_an_http_url_is_refused_and_nothing_is_stored(
    client, author, avatar_url
):
    client.force_login(author)

    answer = client.post("/profile/", {"name": "Changed", "bio": "", "avatar_url": avatar_url})

    assert answer.status_code == 200
    assert answer.context["form"].errors == {"avatar_url": ["Enter an http:// or https:// URL."]}
    stored = User.objects.get(pk=author.pk)
    assert (stored.name, stored.avatar_url) == ("Ada Author", "")


@pytest.mark.django_db
def test_profile_escapes_what_the_user_wrote(client, author):
    client.force_login(author)
    client.post("/profile/", {"name": "<script>alert(1)</script>", "bio": "", "avatar_url": ""})

    page = client.get("/profile/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.django_db
def test_visitor_is_sent_to_sign_in_and_back(client):
    answer = client.get("/profile/")

    assert answer["Location"] == "/sign-in/?next=/profile/"
