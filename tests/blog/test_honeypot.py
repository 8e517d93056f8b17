"""The honeypot of the no-JavaScript forms (comment, reply, sign-up): there for bots, hidden
from people and from screen readers; a submission that fills it is refused quietly (nothing
stored, a generic message) and counted; the JavaScript path never sends it."""

from pathlib import Path

import pytest
from django.urls import reverse
from prometheus_client import REGISTRY

from accounts.models import User
from blog.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a sturdy new passphrase"


def _caught() -> float:
    return REGISTRY.get_sample_value("inkwell_spam_refusals_total", {"check": "honeypot"}) or 0.0


def _honeypots(page: str) -> list[str]:
    """The honeypot blocks of ``page``, as written."""
    return [part.split("</div>")[0] for part in page.split('<div class="honeypot"')[1:]]


def test_comment_and_reply_forms_carry_a_honeypot_hidden_from_people(client, reader):
    post = PostFactory()
    comment = CommentFactory(post=post)
    client.force_login(reader)
    page = client.get(post.get_absolute_url()).content.decode()
    blocks = _honeypots(page)
    # The comment form, the reply under the comment, and the live template's reply form.
    assert len(blocks) == 3
    for block in blocks:
        assert 'aria-hidden="true"' in block
        assert 'tabindex="-1"' in block and 'autocomplete="off"' in block
        assert "Leave this field empty" in block
        assert 'name="website"' in block
    assert f'id="reply-website-{comment.id}"' in page
    assert 'id="comment-website"' in page


def test_a_filled_honeypot_stores_no_comment_and_says_little(client, reader):
    post = PostFactory()
    client.force_login(reader)
    before = _caught()
    response = client.post(
        reverse("blog:comment-create", args=[post.slug]),
        {"content": "Great post! Visit my shop", "website": "https://shop.example"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your comment could not be posted." in page
    assert "Visit my shop" not in page
    assert not Comment.objects.exists()
    assert _caught() == before + 1


def test_an_empty_honeypot_lets_a_person_comment(client, reader):
    post = PostFactory()
    client.force_login(reader)
    client.post(
        reverse("blog:comment-create", args=[post.slug]), {"content": "Hello", "website": ""}
    )
    assert Comment.objects.get().content == "Hello"


def test_sign_up_carries_a_honeypot_and_a_filled_one_creates_no_account(client):
    page = client.get("/sign-up/").content.decode()
    assert len(_honeypots(page)) == 1
    before = _caught()
    response = client.post(
        "/sign-up/",
        {
            "email": "bot@example.com",
            "name": "",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "website": "https://bot.example",
        },
    )
    assert "This account could not be created." in response.content.decode()
    assert not User.objects.filter(email="bot@example.com").exists()
    assert _caught() == before + 1
    # A person, leaving it empty, signs up.
    client.post(
        "/sign-up/",
        {"email": "ada@example.com", "name": "", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert User.objects.filter(email="ada@example.com").exists()


def test_the_javascript_path_sends_only_the_words_and_the_parent():
    source = (Path(__file__).resolve().parents[2] / "static/js/live.js").read_text()
    assert 'send("comment.create", { postId, content, parentId })' in source
    assert "website" not in source
