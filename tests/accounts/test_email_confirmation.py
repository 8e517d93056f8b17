"""A local sign-up confirms its address through an emailed link before it may write: the link
is signed, expires, works once, and can be sent again within a budget."""

import re

import pytest
from django.core import signing

from accounts import services
from accounts.demo import ensure_demo_users
from accounts.models import User
from blog.models import Comment, Post
from mail.models import OutboundEmail
from tests.factories import PostFactory
from tests.mail_outbox import deliver_queued

PASSWORD = "a sturdy new passphrase"
LINK = re.compile(r"http://testserver(/email/confirm/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _links_to_the_test_client(settings):
    settings.MAIL_SITE_URL = "http://testserver"


def _sign_up(client, email: str = "nora@example.com"):
    form = {"email": email, "name": "Nora", "password": PASSWORD, "password_again": PASSWORD}
    return client.post("/sign-up/", form)


def _emailed_link() -> str:
    message = deliver_queued()[-1]
    return LINK.search(message.body).group(1)


@pytest.mark.django_db
def test_a_sign_up_is_signed_in_unconfirmed_and_is_mailed_a_link(client):
    answer = _sign_up(client)

    assert answer.status_code == 302
    user = User.objects.get(email="nora@example.com")
    assert user.email_confirmed_at is None
    (message,) = deliver_queued()
    assert message.to == ["nora@example.com"]
    assert message.subject == "Confirm your email address for Inkwell"
    link = LINK.search(message.body).group(1)
    assert f'href="http://testserver{link}"' in message.alternatives[0][0]
    home = client.get("/")
    assert "Confirm your email address." in home.content.decode()


@pytest.mark.django_db
def test_an_unconfirmed_account_may_not_comment_or_write_and_nothing_is_stored(client, author):
    post = PostFactory(author=author)
    _sign_up(client)

    comment = client.post(f"/posts/{post.slug}/comments/", {"content": "First!"})
    new_post = client.post("/write/new/", {"title": "Mine", "content": "Words", "excerpt": ""})

    assert comment.status_code == 403
    assert "Confirm your email address before you write" in comment.content.decode()
    assert new_post.status_code == 400
    assert "Confirm your email address before you write" in new_post.content.decode()
    assert not Comment.objects.exists()
    assert not Post.objects.filter(title="Mine").exists()


@pytest.mark.django_db
def test_the_link_shows_a_button_and_confirms_only_when_pressed(client, author):
    post = PostFactory(author=author)
    _sign_up(client)
    link = _emailed_link()

    page = client.get(link)

    assert page.status_code == 200
    assert "nora@example.com" in page.content.decode()
    assert User.objects.get(email="nora@example.com").email_confirmed_at is None
    confirmed = client.post(link, follow=True)
    assert "Your email address is confirmed" in confirmed.content.decode()
    assert User.objects.get(email="nora@example.com").email_confirmed_at is not None
    assert client.post(f"/posts/{post.slug}/comments/", {"content": "Hello"}).status_code == 302
    assert Comment.objects.get().content == "Hello"


@pytest.mark.django_db
def test_a_used_link_is_refused_with_a_clear_message_and_changes_nothing(client):
    _sign_up(client)
    link = _emailed_link()
    client.post(link)
    confirmed_at = User.objects.get().email_confirmed_at

    again = client.post(link)
    shown = client.get(link)

    assert again.status_code == shown.status_code == 400
    assert "already used: your email address is confirmed" in again.content.decode()
    assert User.objects.get().email_confirmed_at == confirmed_at


@pytest.mark.django_db
def test_an_expired_link_is_refused_and_changes_nothing(client, settings):
    _sign_up(client)
    link = _emailed_link()
    settings.EMAIL_CONFIRMATION_MAX_AGE_SECONDS = -1  # every link is older than that

    answer = client.post(link)

    assert answer.status_code == 400
    assert "has expired: sign in and ask for a new one" in answer.content.decode()
    assert User.objects.get().email_confirmed_at is None


@pytest.mark.django_db
def test_a_tampered_link_is_refused_and_changes_nothing(client, author):
    _sign_up(client)
    link = _emailed_link()
    token = link.split("/")[-2]
    payload = signing.loads(token, salt="accounts.email-confirmation")
    forged = signing.dumps({**payload, "user": str(author.pk)}, salt="another salt")

    answers = [
        client.post(f"/email/confirm/{token[:-2]}xx/"),
        client.post(f"/email/confirm/{forged}/"),
    ]

    assert [answer.status_code for answer in answers] == [400, 400]
    assert "not valid" in answers[0].content.decode()
    assert User.objects.get(email="nora@example.com").email_confirmed_at is None


@pytest.mark.django_db
def test_the_link_can_be_sent_again_within_a_budget(client, settings):
    settings.EMAIL_CONFIRMATION_RESENDS_PER_HOUR = 2
    _sign_up(client)

    answers = [
        client.post("/email/confirm/again/", {"next": "/write/"}, follow=True) for _ in range(3)
    ]

    assert answers[0].redirect_chain[0][0] == "/write/"
    assert "We sent a new link to nora@example.com" in answers[1].content.decode()
    assert "already sent several links this hour" in answers[2].content.decode()
    messages = deliver_queued()
    assert len(messages) == 3  # at sign-up, then twice on request
    # Every link sent works until one of them is used.
    links = [LINK.search(message.body).group(1) for message in messages]
    assert client.post(links[0]).status_code == 302
    assert client.post(links[2]).status_code == 400


@pytest.mark.django_db
def test_a_confirmed_account_asking_again_is_told_so_and_sent_nothing(client, author):
    client.force_login(author)

    answer = client.post("/email/confirm/again/", follow=True)

    assert "already confirmed" in answer.content.decode()
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_asking_again_needs_a_signed_in_post(client):
    assert client.post("/email/confirm/again/")["Location"].startswith("/sign-in/")
    assert client.get("/email/confirm/again/").status_code == 405


@pytest.mark.django_db
def test_accounts_made_any_other_way_are_confirmed():
    made_by_command = services.create_user(email="cli@example.com", password=PASSWORD)
    from_cognito = services.user_for_identity(
        sub="sub-1", email="pool@example.com", email_verified=True, may_create=True
    )
    writers, _ = ensure_demo_users(count=2, password=PASSWORD)

    for user in [made_by_command, from_cognito, *writers]:
        assert user.is_email_confirmed, user.email


@pytest.mark.django_db
def test_an_unconfirmed_account_linked_by_a_verified_provider_address_is_confirmed(client):
    _sign_up(client)

    linked = services.user_for_identity(
        sub="sub-nora", email="nora@example.com", email_verified=True, may_create=True
    )

    assert linked.email_confirmed_at is not None
    assert User.objects.get(email="nora@example.com").is_email_confirmed
