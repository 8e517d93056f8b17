"""Deleting one's own account: the page says what goes, the email typed confirms, everything
written is erased and each removal announced, and the browser is signed out. A wrong
confirmation changes nothing."""

import json

import pytest
from django.test import Client

from accounts import services as account_services
from accounts.models import DeletedIdentity, User
from blog.models import Comment, Post
from realtime.models import ChannelEvent
from tests.factories import CommentFactory, PostFactory


@pytest.fixture
def writing(author, reader, stranger):
    """The author's published post and draft, a reader's comment on it, the author's comment
    on the reader's post with the stranger's reply under it, and the stranger's own post."""
    published = PostFactory(author=author, title="Mine")
    PostFactory(author=author, published=False, title="My draft")
    CommentFactory(post=published, author=reader)
    readers_post = PostFactory(author=reader, title="Theirs")
    on_theirs = CommentFactory(post=readers_post, author=author)
    reply = CommentFactory(post=readers_post, author=stranger, parent=on_theirs, depth=1)
    strangers_post = PostFactory(author=stranger, title="Untouched")
    kept_comment = CommentFactory(post=strangers_post, author=reader)
    return {
        "published": published,
        "on_theirs": on_theirs,
        "reply": reply,
        "readers_post": readers_post,
        "kept": [readers_post, strangers_post, kept_comment],
    }


def _events() -> list[tuple[str, dict]]:
    return [(row.channel, json.loads(row.payload)) for row in ChannelEvent.objects.order_by("id")]


@pytest.mark.django_db
def test_page_shows_what_will_be_erased_and_offers_the_export(client, author, writing):
    client.force_login(author)

    page = client.get("/profile/delete/").content.decode()

    assert "1 published post<" in page
    assert "1 draft<" in page
    assert "1 comment you wrote" in page
    # The reader's comment on the author's post, and the stranger's reply to the author.
    assert "2 comments by others" in page
    assert 'href="/profile/export/"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["someone@example.com", "author@example", "reader@example.com"])
def test_wrong_confirmation_is_a_field_error_and_deletes_nothing(client, author, writing, typed):
    client.force_login(author)

    answer = client.post("/profile/delete/", {"confirmation": typed})

    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "confirmation": ["Type your email address exactly as shown to confirm."]
    }
    assert User.objects.filter(pk=author.pk).exists()
    assert (Post.objects.count(), Comment.objects.count()) == (4, 4)
    assert ChannelEvent.objects.count() == 0
    assert client.get("/profile/").status_code == 200


@pytest.mark.django_db
def test_empty_confirmation_is_a_field_error(client, author, writing):
    client.force_login(author)

    answer = client.post("/profile/delete/", {"confirmation": ""})

    assert answer.context["form"].errors == {"confirmation": ["This field is required."]}
    assert User.objects.filter(pk=author.pk).exists()


@pytest.mark.django_db
def test_deletion_erases_the_account_and_its_writing_and_signs_out(
    client, author, writing, django_capture_on_commit_callbacks
):
    sub = account_services.ensure_subject(user=author)
    client.force_login(author)
    other_browser = Client()
    other_browser.force_login(author)

    with django_capture_on_commit_callbacks() as sent:
        answer = client.post("/profile/delete/", {"confirmation": "  Author@Example.com "})

    assert answer.status_code == 302
    assert answer["Location"] == "/"
    assert not User.objects.filter(pk=author.pk).exists()
    assert DeletedIdentity.objects.filter(sub=sub).exists()
    assert set(Post.objects.all()) == set(writing["kept"][:2])
    assert list(Comment.objects.all()) == [writing["kept"][2]]
    assert client.get("/profile/")["Location"].startswith("/sign-in/")
    assert other_browser.get("/profile/")["Location"].startswith("/sign-in/")
    assert "Your account and everything you wrote are deleted." in client.get("/").content.decode()
    # Each removal is logged and sent on commit, as any deletion is: the published post (not
    # the draft), the author's comment on the reader's post and the reply under it.
    readers_comments = f"/subscriptions/comments/{writing['readers_post'].id}"
    assert sorted(
        (channel, event["type"], event["ids"][0]) for channel, event in _events()
    ) == sorted(
        [
            ("/subscriptions/posts", "deleted", str(writing["published"].id)),
            (readers_comments, "deleted", str(writing["on_theirs"].id)),
            (readers_comments, "deleted", str(writing["reply"].id)),
        ]
    )
    assert len(sent) >= 3


@pytest.mark.django_db
def test_delete_page_needs_a_signed_in_user_and_the_csrf_token(author, writing):
    assert Client().get("/profile/delete/")["Location"].startswith("/sign-in/")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(author)

    answer = browser.post("/profile/delete/", {"confirmation": author.email})

    assert answer.status_code == 403
    assert User.objects.filter(pk=author.pk).exists()
