"""Editing one's profile in the browser: saved when valid, refused field by field when not."""

import pytest

from accounts import services
from accounts.models import User
from lib.errors import InvalidInput


@pytest.mark.django_db
def test_profile_changes_are_saved(client, author):
    client.force_login(author)

    answer = client.post("/profile/", {"name": "Ada L.", "bio": "Writes about engines."})

    assert answer["Location"] == "/profile/"
    stored = User.objects.get(pk=author.pk)
    assert (stored.name, stored.bio) == ("Ada L.", "Writes about engines.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "avatar_url", ["javascript:alert(1)", "ftp://img.example/a.png", "not a url"]
)
def test_avatar_url_that_is_not_http_is_refused_by_the_service(author, avatar_url):
    # The page uploads avatars (tests/accounts/test_avatar_upload.py); the API still takes a URL.
    with pytest.raises(InvalidInput) as refused:
        services.update_profile(user=author, name="Changed", avatar_url=avatar_url)

    assert refused.value.field_errors == {"avatarUrl": ["Enter an http:// or https:// URL."]}
    stored = User.objects.get(pk=author.pk)
    assert (stored.name, stored.avatar_url) == ("Ada Author", "")


@pytest.mark.django_db
def test_profile_escapes_what_the_user_wrote(client, author):
    client.force_login(author)
    client.post("/profile/", {"name": "<script>alert(1)</script>", "bio": ""})

    page = client.get("/profile/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.django_db
def test_visitor_is_sent_to_sign_in_and_back(client):
    answer = client.get("/profile/")

    assert answer["Location"] == "/sign-in/?next=/profile/"
