"""The spam checks on new comments: each built-in check honours its settings, a suspicious
comment is held with its reason shown in the queue, a refused one stores nothing and answers a
clear error on the page and over tRPC, and a site's own checker plugs in (and fails open)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from blog import services
from blog.models import Comment, CommentStatus
from blog.spam import Submission, Verdict, check_spam_checkers
from lib.errors import InvalidInput, TooManyRequests
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

BUILT_IN = [
    "blog.spam.check_links",
    "blog.spam.check_repeats",
    "blog.spam.check_rate",
    "blog.spam.check_account_age",
]
LONG_ENOUGH = "These words are long enough to be compared by the repeat check."


@pytest.fixture(autouse=True)
def _spam_checks_on(settings):
    settings.SPAM_CHECKERS = BUILT_IN
    settings.SPAM_NEW_ACCOUNT_SECONDS = 0  # turned on by its own test


@pytest.fixture
def post(db):
    return PostFactory()


def _comment(author, post, content, **kwargs):
    return services.create_comment(author=author, post=post, content=content, **kwargs)


# A site's own checkers, named by dotted path in SPAM_CHECKERS.


def says_buy_is_spam(submission: Submission) -> Verdict:
    if "buy now" in submission.content.lower():
        return Verdict.spam("We do not take advertising here.")
    return Verdict.ok()


class FlagsQuestionMarks:
    """A class checker: instantiated once, then called."""

    def __call__(self, submission: Submission) -> Verdict:
        if "??" in submission.content:
            return Verdict.suspicious("Too many question marks")
        return Verdict.ok()


def breaks(submission: Submission) -> Verdict:
    raise ConnectionError("the external service is down")


# Links


def test_a_comment_with_fifty_links_is_refused_and_nothing_is_stored(reader, post):
    links = " ".join(f"https://spam.example/{number}" for number in range(50))
    with pytest.raises(InvalidInput) as refused:
        _comment(reader, post, links)
    assert refused.value.field_errors == {
        "content": ["This has too many links (50); at most 10 are allowed."]
    }
    assert not Comment.objects.exists()


def test_a_few_links_are_fine_and_more_than_the_setting_are_held(reader, post, settings):
    settings.SPAM_LINKS_HELD = 2
    two = _comment(reader, post, "See https://a.example and www.b.example")
    four = _comment(reader, post, "http://a.example http://b.example www.c.example www.d.example")
    assert two.status == CommentStatus.VISIBLE
    assert four.status == CommentStatus.HELD
    assert Comment.objects.get(id=four.id).held_reason == "4 links"


# Repeats


def test_the_same_comment_five_times_is_held_then_refused(reader, post):
    outcomes = []
    for _ in range(5):
        try:
            outcomes.append(_comment(reader, post, LONG_ENOUGH).status)
        except InvalidInput as error:
            outcomes.append(error.field_errors["content"][0])
    refused = "You have already posted these same words several times."
    assert outcomes == ["visible", "held", "held", refused, refused]
    assert Comment.objects.count() == 3
    assert Comment.objects.filter(status=CommentStatus.HELD).first().held_reason == (
        "The same words again from this account (2 times)"
    )


def test_repeats_ignore_case_and_spacing_and_short_replies(reader, post, settings):
    settings.SPAM_COMMENTS_PER_ACCOUNT = 100
    _comment(reader, post, LONG_ENOUGH)
    again = _comment(reader, post, "  " + LONG_ENOUGH.upper().replace(" ", "\n  "))
    assert again.status == CommentStatus.HELD
    for _ in range(5):
        assert _comment(reader, post, "Thanks!").status == CommentStatus.VISIBLE


def test_the_same_words_from_many_accounts_are_held_from_the_setting_on(post, settings):
    settings.SPAM_REPEAT_ACCOUNTS_HELD = 3
    settings.SPAM_COMMENTS_PER_ACCOUNT = 100
    accounts = [
        User.objects.create_user(email=f"bot{number}@example.com", password="x")
        for number in range(4)
    ]
    statuses = [_comment(account, post, LONG_ENOUGH).status for account in accounts]
    assert statuses == ["visible", "visible", "held", "held"]


def test_the_repeat_window_is_a_setting(reader, post, settings):
    settings.SPAM_REPEATS_REFUSED = 1
    _comment(reader, post, LONG_ENOUGH)
    with pytest.raises(InvalidInput):
        _comment(reader, post, LONG_ENOUGH)


# Rate


def test_twenty_comments_in_a_minute_the_account_gets_five(reader, post):
    stored, refusals = 0, []
    for number in range(20):
        try:
            _comment(reader, post, f"Comment number {number}")
            stored += 1
        except TooManyRequests as error:
            refusals.append(error)
    assert stored == 5 == Comment.objects.count()
    assert len(refusals) == 15
    assert 0 < refusals[0].retry_after <= 60
    assert "faster than we allow" in refusals[0].message


def test_the_rate_per_address_counts_every_account_behind_it(post, settings):
    settings.SPAM_COMMENTS_PER_ADDRESS = 3
    accounts = [
        User.objects.create_user(email=f"neighbour{number}@example.com", password="x")
        for number in range(5)
    ]
    refused = 0
    for number, account in enumerate(accounts):
        try:
            _comment(account, post, f"Hello {number}", client_address="203.0.113.9")
        except TooManyRequests:
            refused += 1
    assert refused == 2
    # Another address is counted apart.
    _comment(accounts[0], post, "From home", client_address="198.51.100.1")


# Account age


def test_a_new_account_is_held_and_an_older_one_is_not(reader, stranger, post, settings):
    settings.SPAM_NEW_ACCOUNT_SECONDS = 600
    User.objects.filter(id=stranger.id).update(created_at=timezone.now() - timedelta(hours=1))
    stranger.refresh_from_db()
    held = _comment(reader, post, "New here")
    assert held.status == CommentStatus.HELD
    assert held.held_reason == "An account created 0 min ago"
    assert _comment(stranger, post, "Old hand").status == CommentStatus.VISIBLE


def test_staff_are_not_checked(editor, post):
    links = " ".join(f"https://docs.example/{number}" for number in range(50))
    assert _comment(editor, post, links).status == CommentStatus.VISIBLE


def test_reasons_of_several_checks_are_joined_after_the_first_comment_hold(reader, post, settings):
    settings.MODERATION_HOLD_FIRST_COMMENTS = 1
    settings.SPAM_LINKS_HELD = 0
    held = _comment(reader, post, "One link: https://a.example")
    assert held.held_reason == "A new account's first comments; 1 links"


# The pluggable interface


def test_a_sites_own_checkers_refuse_and_hold(reader, post, settings):
    settings.SPAM_CHECKERS = [
        *BUILT_IN,
        "tests.blog.test_spam_checks.says_buy_is_spam",
        "tests.blog.test_spam_checks.FlagsQuestionMarks",
    ]
    with pytest.raises(InvalidInput) as refused:
        _comment(reader, post, "BUY NOW cheap watches")
    assert refused.value.field_errors == {"content": ["We do not take advertising here."]}
    held = _comment(reader, post, "Really??")
    assert (held.status, held.held_reason) == ("held", "Too many question marks")
    assert _comment(reader, post, "A plain comment").status == CommentStatus.VISIBLE


def test_a_checker_that_raises_is_logged_and_the_comment_passes(reader, post, settings, caplog):
    settings.SPAM_CHECKERS = ["tests.blog.test_spam_checks.breaks"]
    comment = _comment(reader, post, "Still here")
    assert comment.status == CommentStatus.VISIBLE
    assert "tests.blog.test_spam_checks.breaks failed" in caplog.text


# The doors: page and tRPC


def test_the_page_shows_a_refusal_on_the_field_and_stores_nothing(client, reader, post):
    client.force_login(reader)
    links = " ".join(f"https://spam.example/{number}" for number in range(50))
    response = client.post(reverse("blog:comment-create", args=[post.slug]), {"content": links})
    assert response.status_code == 400
    assert "too many links (50)" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_page_answers_too_fast_with_429_and_a_retry_time(client, reader, post, settings):
    settings.SPAM_COMMENTS_PER_ACCOUNT = 1
    client.force_login(reader)
    url = reverse("blog:comment-create", args=[post.slug])
    assert client.post(url, {"content": "One"}).status_code == 302
    response = client.post(url, {"content": "Two"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "faster than we allow" in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_page_counts_the_rate_per_client_address(client, reader, stranger, post, settings):
    settings.SPAM_COMMENTS_PER_ADDRESS = 1
    url = reverse("blog:comment-create", args=[post.slug])
    client.force_login(reader)
    assert client.post(url, {"content": "One"}, REMOTE_ADDR="192.0.2.7").status_code == 302
    client.force_login(stranger)
    assert client.post(url, {"content": "Two"}, REMOTE_ADDR="192.0.2.7").status_code == 429


def _create_over_trpc(client, post, content):
    response = client.post(
        "/api/trpc/comment.create",
        json.dumps({"postId": str(post.id), "content": content}),
        content_type="application/json",
        REMOTE_ADDR="192.0.2.8",
    )
    return response.status_code, json.loads(response.content)


def test_comment_create_refuses_spam_in_the_trpc_error_shape(client, reader, post):
    client.force_login(reader)
    links = " ".join(f"https://spam.example/{number}" for number in range(50))
    status, body = _create_over_trpc(client, post, links)
    assert status == 400
    assert body["error"]["data"]["code"] == "BAD_REQUEST"
    assert body["error"]["data"]["fieldErrors"] == {
        "content": ["This has too many links (50); at most 10 are allowed."]
    }
    assert not Comment.objects.exists()


def test_comment_create_counts_the_rate_per_address(client, reader, stranger, post, settings):
    settings.SPAM_COMMENTS_PER_ADDRESS = 1
    client.force_login(reader)
    assert _create_over_trpc(client, post, "One")[0] == 200
    client.force_login(stranger)
    status, body = _create_over_trpc(client, post, "Two")
    assert status == 429
    assert body["error"]["data"]["code"] == "TOO_MANY_REQUESTS"
    assert Comment.objects.count() == 1


def test_the_queue_shows_why_a_comment_is_held(client, reader, editor, post, settings):
    settings.SPAM_LINKS_HELD = 0
    _comment(reader, post, "Look: https://a.example")
    client.force_login(editor)
    page = client.get(reverse("admin:moderation_report_changelist")).content.decode()
    assert "Held: 1 links" in page


def test_a_checker_that_cannot_be_imported_is_a_system_check_error(settings):
    settings.SPAM_CHECKERS = [*BUILT_IN, "blog.spam.no_such_check", "blog.spam.logger"]
    errors = check_spam_checkers(None)
    assert [error.id for error in errors] == ["inkwell.E030", "inkwell.E030"]
    assert "'blog.spam.no_such_check', which cannot be imported" in errors[0].msg
    assert "'blog.spam.logger', which is neither a function nor a class" in errors[1].msg
