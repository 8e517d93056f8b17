"""Anyone with an email address follows the site or an author: double opt-in, one email per
post or a digest, and one-click unsubscribe; publishing leaves one job for the worker."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import services as blog_services
from follows.delivery import fan_out_publications
from follows.models import Follow, Publication
from mail.models import OutboundEmail
from tests.mail_outbox import deliver_queued

CONFIRM_LINK = re.compile(r"https://testserver(/follow/confirm/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _links_to_the_test_client(settings):
    settings.MAIL_SITE_URL = "https://testserver"


def _ask(client, email: str, cadence: str = "post", author=None, **extra):
    form = {"email": email, "cadence": cadence}
    if author is not None:
        form["author"] = str(author.pk)
    return client.post("/follow/", form, **extra)


def _confirm_link() -> str:
    return CONFIRM_LINK.search(deliver_queued()[-1].body).group(1)


def _follow(client, email: str, cadence: str = "post", author=None) -> Follow:
    _ask(client, email, cadence, author)
    client.post(_confirm_link())
    return Follow.objects.get(email=email, author=author)


def _publish(author, title: str = "Fresh ink"):
    return blog_services.create_post(author=author, title=title, content="Words.", published=True)


@pytest.mark.django_db
def test_asking_to_follow_sends_only_a_confirmation(client, author):
    answer = _ask(client, "Fan@Example.com", author=author)

    assert answer.status_code == 200
    assert "Check your inbox" in answer.content.decode()
    follow = Follow.objects.get()
    assert (follow.email, follow.author, follow.confirmed_at) == ("fan@example.com", author, None)
    (message,) = deliver_queued()
    assert message.to == ["fan@example.com"]
    assert message.subject == "Confirm that you want to follow Ada Author"

    _publish(author)
    call_command("send_queued_mail")
    assert len(deliver_queued()) == 1  # unconfirmed: nothing about the post


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "cadence", "field"),
    [
        ("not-an-address", "post", "email"),
        ("a@example.com", "hourly", "cadence"),
        ("", "post", "email"),
    ],
)
def test_a_bad_follow_request_is_refused_on_its_field_and_changes_nothing(
    client, email, cadence, field
):
    answer = _ask(client, email, cadence)

    assert answer.status_code == 400
    assert answer.context["form"].errors[field]
    assert not Follow.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_following_an_unknown_author_is_not_found(client):
    assert client.get("/follow/?author=00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/follow/?author=nonsense").status_code == 404


@pytest.mark.django_db
def test_the_link_asks_first_then_confirms_once(client):
    _ask(client, "fan@example.com")
    link = _confirm_link()

    page = client.get(link)
    assert "fan@example.com" in page.content.decode()
    assert Follow.objects.get().confirmed_at is None
    done = client.post(link)
    again = client.post(link)

    assert done.status_code == 200
    assert "Done: fan@example.com follows Inkwell" in done.content.decode()
    assert Follow.objects.get().confirmed_at is not None
    assert again.status_code == 400
    assert "already used" in again.content.decode()


@pytest.mark.django_db
def test_an_expired_or_tampered_link_is_refused_and_changes_nothing(client, settings):
    _ask(client, "fan@example.com")
    link = _confirm_link()

    tampered = client.post(link[:-4] + "abc/")
    settings.FOLLOW_CONFIRMATION_MAX_AGE_SECONDS = -1
    expired = client.post(link)

    assert (tampered.status_code, expired.status_code) == (400, 400)
    assert "not valid" in tampered.content.decode()
    assert "expired" in expired.content.decode()
    assert Follow.objects.get().confirmed_at is None


@pytest.mark.django_db
def test_asking_is_limited_per_address(client, settings):
    settings.FOLLOW_REQUESTS_PER_ADDRESS = 2

    statuses = [_ask(client, "fan@example.com").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert OutboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_publishing_leaves_one_job_whatever_the_number_of_followers(author):
    def queries_to_publish(title: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            _publish(author, title)
        return len(queries)

    few = queries_to_publish("First")
    Follow.objects.bulk_create(
        Follow(email=f"fan{n}@example.com", confirmed_at=timezone.now()) for n in range(200)
    )
    many = queries_to_publish("Second")

    assert few == many
    assert Publication.objects.count() == 2
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_the_worker_emails_each_per_post_follower_once(client, author, reader):
    _follow(client, "both@example.com", author=author)
    _follow(client, "both@example.com")
    _follow(client, "site@example.com")
    _follow(client, "digest@example.com", cadence="daily")
    _follow(client, "other@example.com", author=reader)
    deliver_queued().clear()

    post = _publish(author)
    call_command("send_queued_mail")

    messages = deliver_queued()
    assert sorted(message.to[0] for message in messages) == ["both@example.com", "site@example.com"]
    assert {message.subject for message in messages} == {"Fresh ink, by Ada Author"}
    assert f"https://testserver/posts/{post.slug}/" in messages[0].body
    assert Publication.objects.get().fanned_out_at is not None
    call_command("send_queued_mail")
    assert len(deliver_queued()) == 2


@pytest.mark.django_db
def test_a_post_unpublished_before_the_worker_runs_is_never_announced(client, author):
    _follow(client, "fan@example.com")
    deliver_queued().clear()

    post = _publish(author)
    blog_services.update_post(post=post, published=False)
    blog_services.update_post(post=post, published=True)  # back again: not news
    call_command("send_queued_mail")

    assert deliver_queued() == []


@pytest.mark.django_db
def test_a_daily_digest_lists_new_posts_once(client, author, reader):
    _follow(client, "fan@example.com", cadence="daily", author=author)
    _follow(client, "fan@example.com", cadence="daily")
    deliver_queued().clear()
    _publish(author, "One")
    _publish(reader, "Two")

    call_command("send_digests", "daily")
    call_command("send_digests", "daily")
    call_command("send_digests", "weekly")

    (digest,) = deliver_queued()
    assert digest.to == ["fan@example.com"]
    assert digest.subject == "Your daily Inkwell digest: 2 new posts"
    assert digest.body.count("One") == 1 and "Two" in digest.body


@pytest.mark.django_db
def test_one_click_unsubscribe_ends_the_follow_and_twice_is_friendly(client, author):
    _follow(client, "fan@example.com", author=author)
    deliver_queued().clear()
    _publish(author)
    call_command("send_queued_mail")
    (message,) = deliver_queued()
    path = re.fullmatch(
        r"<https://testserver(/\S+)>", message.extra_headers["List-Unsubscribe"]
    ).group(1)
    mail_client = Client(enforce_csrf_checks=True)

    first = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    second = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert "no more emails about new posts you follow" in first.content.decode()
    assert "already unsubscribed" in second.content.decode()
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_a_signed_in_reader_finds_their_address_filled_in(client, reader):
    client.force_login(reader)

    assert 'value="reader@example.com"' in client.get("/follow/").content.decode()


@pytest.mark.django_db
def test_unsubscribing_from_a_post_email_ends_every_follow_it_came_by(client, author):
    _follow(client, "fan@example.com", author=author)
    _follow(client, "fan@example.com")
    _follow(client, "keep@example.com")
    deliver_queued().clear()
    _publish(author)
    call_command("send_queued_mail")
    message = next(m for m in deliver_queued() if m.to == ["fan@example.com"])
    assert "You get this because you follow Ada Author by email." in message.body
    path = re.fullmatch(
        r"<https://testserver(/\S+)>", message.extra_headers["List-Unsubscribe"]
    ).group(1)

    Client().post(path)

    assert list(Follow.objects.values_list("email", flat=True)) == ["keep@example.com"]


@pytest.mark.django_db
def test_telling_a_post_costs_a_few_queries_not_one_per_follower(author, reader):
    def queries_to_tell(followers: int) -> int:
        Follow.objects.all().delete()
        Follow.objects.bulk_create(
            Follow(
                email=f"fan{n}@example.com",
                author=author if n % 2 else None,
                confirmed_at=timezone.now(),
            )
            for n in range(followers)
        )
        _publish(author, f"Post for {followers}")
        with CaptureQueriesContext(connection) as queries:
            fan_out_publications()
        return len(queries)

    few, many = queries_to_tell(3), queries_to_tell(300)
    # Emails are inserted in batches (500 a statement on PostgreSQL; SQLite's cap on a
    # statement's parameters makes its batches smaller): never a query per follower.
    assert many < few + 300 // 50
