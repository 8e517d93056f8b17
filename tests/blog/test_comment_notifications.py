"""Reply and new-comment emails: queued after the comment commits, to the right people only,
each with a one-click unsubscribe that switches that email off."""

import re

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import User
from blog import services
from mail.models import OutboundEmail
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.mail_outbox import deliver_queued


@pytest.fixture(autouse=True)
def _links_to_the_test_client(settings):
    settings.MAIL_SITE_URL = "https://testserver"


@pytest.fixture
def post(author):
    return PostFactory(author=author, title="Engines")


def _comment(django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        return services.create_comment(**fields)


def _sent_to() -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject) for message in deliver_queued())


@pytest.mark.django_db
def test_a_comment_on_a_post_emails_its_author_after_commit(
    django_capture_on_commit_callbacks, post, reader
):
    with django_capture_on_commit_callbacks() as callbacks:
        comment = services.create_comment(author=reader, post=post, content="Nice <b>engine</b>.")
        assert not OutboundEmail.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()

    (message,) = deliver_queued()
    assert message.to == ["author@example.com"]
    assert message.subject == "Rey Reader commented on “Engines”"
    assert "Nice <b>engine</b>." in message.body
    assert f"https://testserver/posts/{post.slug}/#comment-{comment.id}" in message.body
    assert "Nice &lt;b&gt;engine&lt;/b&gt;." in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_a_reply_emails_the_parent_commenter_and_the_post_author(
    django_capture_on_commit_callbacks, post, reader, stranger
):
    parent = CommentFactory(post=post, author=reader)

    _comment(
        django_capture_on_commit_callbacks, author=stranger, post=post, content="Yes", parent=parent
    )

    assert _sent_to() == [
        ("author@example.com", "Sam Stranger commented on “Engines”"),
        ("reader@example.com", "Sam Stranger replied to your comment on “Engines”"),
    ]


@pytest.mark.django_db
def test_a_reply_under_the_post_authors_own_comment_sends_them_one_email(
    django_capture_on_commit_callbacks, post, author, reader
):
    parent = CommentFactory(post=post, author=author)

    _comment(
        django_capture_on_commit_callbacks, author=reader, post=post, content="Hm", parent=parent
    )

    assert _sent_to() == [("author@example.com", "Rey Reader replied to your comment on “Engines”")]


@pytest.mark.django_db
def test_nobody_is_told_about_their_own_comment_or_reply(
    django_capture_on_commit_callbacks, post, author
):
    parent = CommentFactory(post=post, author=author)

    _comment(
        django_capture_on_commit_callbacks, author=author, post=post, content="Also", parent=parent
    )
    _comment(django_capture_on_commit_callbacks, author=author, post=post, content="Me")

    assert _sent_to() == []


@pytest.mark.django_db
def test_switched_off_emails_are_not_sent(
    django_capture_on_commit_callbacks, post, author, reader, stranger
):
    User.objects.filter(pk=author.pk).update(emails_on_post_comment=False)
    User.objects.filter(pk=reader.pk).update(emails_on_reply=False)
    parent = CommentFactory(post=post, author=reader)

    _comment(
        django_capture_on_commit_callbacks, author=stranger, post=post, content="Hi", parent=parent
    )

    assert _sent_to() == []


@pytest.mark.django_db
def test_a_comment_rolled_back_or_deleted_before_commit_sends_nothing(
    django_capture_on_commit_callbacks, post, reader
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.create_comment(author=reader, post=post, content="Gone")
            raise RuntimeError
        comment = services.create_comment(author=reader, post=post, content="Regretted")
        services.delete_comment(comment=comment)

    assert _sent_to() == []


@pytest.mark.django_db
def test_a_reply_to_a_deleted_comment_does_not_email_its_former_author(
    django_capture_on_commit_callbacks, post, author, reader, stranger
):
    User.objects.filter(pk=author.pk).update(emails_on_post_comment=False)
    parent = CommentFactory(post=post, author=reader)
    reply = _comment(
        django_capture_on_commit_callbacks, author=stranger, post=post, content="1", parent=parent
    )
    deliver_queued().clear()
    services.delete_comment(comment=parent)  # a placeholder: it has a reply

    _comment(
        django_capture_on_commit_callbacks, author=author, post=post, content="2", parent=reply
    )

    assert _sent_to() == [
        ("stranger@example.com", "Ada Author replied to your comment on “Engines”")
    ]


def _unsubscribe_path(message) -> str:
    return re.fullmatch(
        r"<https://testserver(/\S+)>", message.extra_headers["List-Unsubscribe"]
    ).group(1)


@pytest.mark.django_db
def test_one_click_unsubscribe_switches_that_email_off_without_csrf_and_twice_is_friendly(
    django_capture_on_commit_callbacks, post, author, reader
):
    _comment(django_capture_on_commit_callbacks, author=reader, post=post, content="Hi")
    path = _unsubscribe_path(deliver_queued()[0])
    mail_client = Client(enforce_csrf_checks=True)  # a mail client: no cookie, no token

    first = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    second = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert first.status_code == second.status_code == 200
    assert "no more emails about new comments on your posts" in first.content.decode()
    assert "already unsubscribed" in second.content.decode()
    author.refresh_from_db()
    assert (author.emails_on_post_comment, author.emails_on_reply) == (False, True)


@pytest.mark.django_db
def test_the_unsubscribe_page_asks_first_and_a_tampered_link_changes_nothing(
    client, django_capture_on_commit_callbacks, post, author, reader
):
    _comment(django_capture_on_commit_callbacks, author=reader, post=post, content="Hi")
    path = _unsubscribe_path(deliver_queued()[0])

    page = client.get(path)
    tampered = client.post(path[:-3] + "xx/")

    assert page.status_code == 200
    assert "Stop emails about new comments on your posts?" in page.content.decode()
    assert tampered.status_code == 400
    assert "not valid" in tampered.content.decode()
    author.refresh_from_db()
    assert author.emails_on_post_comment is True


@pytest.mark.django_db
def test_email_settings_page_switches_each_email(client, author):
    client.force_login(author)

    page = client.get("/profile/notifications/")
    answer = client.post("/profile/notifications/", {"on_reply": "on"})

    assert 'name="on_post_comment"' in page.content.decode()
    assert answer["Location"] == "/profile/notifications/"
    author.refresh_from_db()
    assert (author.emails_on_reply, author.emails_on_post_comment) == (True, False)


@pytest.mark.django_db
def test_queueing_the_emails_costs_the_same_whatever_the_thread(
    django_capture_on_commit_callbacks, django_assert_num_queries, post, reader
):
    chain = [CommentFactory(post=post, author=UserFactory())]
    for _ in range(5):
        chain.append(
            CommentFactory(
                post=post, author=UserFactory(), parent=chain[-1], depth=chain[-1].depth + 1
            )
        )
    with django_capture_on_commit_callbacks() as callbacks:
        services.create_comment(author=reader, post=post, content="Deep", parent=chain[-1])

    # The comment with its post, parent and their authors; two emails queued.
    with django_assert_num_queries(3):
        callbacks[-1]()


@pytest.mark.django_db
def test_a_held_comment_is_emailed_about_only_once_released(
    django_capture_on_commit_callbacks, settings, post
):
    settings.MODERATION_HOLD_FIRST_COMMENTS = 1
    newcomer = UserFactory(email="newcomer@example.com", name="New Comer")
    held = _comment(django_capture_on_commit_callbacks, author=newcomer, post=post, content="Hi")
    assert held.is_held
    assert _sent_to() == []  # nobody else may see it yet, so nobody is told

    with django_capture_on_commit_callbacks(execute=True):
        services.release_comment(comment=held)
    assert _sent_to() == [("author@example.com", "New Comer commented on “Engines”")]
