"""Idempotent mutations over HTTP: a mutation sent with an Idempotency-Key writes once, however
often and however concurrently it is retried, and every retry gets the first answer back."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from api import idempotency, trpc
from api.models import IdempotencyKey
from blog.models import Comment, Post
from lib.errors import InvalidInput
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

RETRIES = 5
KEY = "9f0c7c4e-2d55-4c4e-9a4e-5c1f5b0b8d11"


def _keyed(key: str = KEY) -> dict[str, str]:
    return {"Idempotency-Key": key}


def _create(title: str = "Written once") -> dict:
    return {"title": title, "content": "Sent again and again.", "published": True}


def test_a_mutation_retried_5_times_in_sequence_writes_once(as_user, author):
    caller = as_user(author)
    answers = [caller.mutate("post.create", _create(), headers=_keyed()) for _ in range(RETRIES)]
    assert Post.objects.filter(title="Written once").count() == 1
    assert [answer.status for answer in answers] == [200] * RETRIES
    assert all(answer.body == answers[0].body for answer in answers)
    assert [answer.headers.get("Idempotent-Replayed") for answer in answers] == [None] + [
        "true"
    ] * (RETRIES - 1)
    kept = IdempotencyKey.objects.get()
    assert (kept.user, kept.key, kept.path) == (author, KEY, "post.create")


def _lock_posts() -> psycopg.Connection:
    """A connection of its own holding a lock that makes every insert of a post wait."""
    settings = connection.settings_dict
    locker = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
    )
    locker.execute("LOCK TABLE blog_post IN SHARE MODE")
    return locker


def _wait_for_waiters(locker: psycopg.Connection, count: int) -> None:
    """Until ``count`` statements wait for a lock (10 s at most)."""
    deadline = time.monotonic() + 10
    query = "SELECT count(*) FROM pg_locks WHERE NOT granted"
    while (waiting := locker.execute(query).fetchone()[0]) != count:
        assert time.monotonic() < deadline, f"{waiting} statements wait, not {count}"
        time.sleep(0.02)  # waiting for the other threads, not timing anything


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_5_concurrent_retries_write_once_and_all_get_the_first_answer(as_user, author):
    callers = [as_user(author) for _ in range(RETRIES)]

    def send(caller):
        try:
            return caller.mutate("post.create", _create(), headers=_keyed())
        finally:
            connection.close()

    locker = _lock_posts()
    with ThreadPoolExecutor(RETRIES) as pool:
        sent = [pool.submit(send, caller) for caller in callers]
        # One run waits to insert its post; the four retries wait for that run's claim.
        _wait_for_waiters(locker, RETRIES)
        locker.commit()
        answers = [future.result(timeout=30) for future in sent]
    locker.close()
    assert Post.objects.filter(title="Written once").count() == 1
    assert [answer.status for answer in answers] == [200] * RETRIES
    assert all(answer.body == answers[0].body for answer in answers)
    replayed = [answer.headers.get("Idempotent-Replayed") for answer in answers]
    assert sorted(replayed, key=str) == [None] + ["true"] * (RETRIES - 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_that_outwaits_a_running_call_gets_a_conflict_then_its_answer(
    as_user, author, monkeypatch
):
    monkeypatch.setattr(idempotency, "CONCURRENT_RUN_WAIT_MILLISECONDS", 200)
    first, retry = as_user(author), as_user(author)

    def send():
        try:
            return first.mutate("post.create", _create(), headers=_keyed())
        finally:
            connection.close()

    locker = _lock_posts()
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(send)
        _wait_for_waiters(locker, 1)
        waited = retry.mutate("post.create", _create(), headers=_keyed())
        assert not Post.objects.exists()
        locker.commit()
        answer = running.result(timeout=30)
    locker.close()
    assert (waited.status, waited.code) == (409, "CONFLICT")
    assert "still running" in waited.error["message"]
    assert waited.headers["Retry-After"] == "1"
    again = retry.mutate("post.create", _create(), headers=_keyed())
    assert again.body == answer.body
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Post.objects.count() == 1


def test_an_error_is_replayed_even_once_the_call_would_succeed(as_user, author, reader):
    draft = PostFactory(author=author, published=False)
    caller = as_user(reader)
    comment = {"postId": str(draft.id), "content": "Too early"}
    first = caller.mutate("comment.create", comment, headers=_keyed())
    assert (first.status, first.code) == (404, "NOT_FOUND")
    Post.objects.filter(pk=draft.pk).update(published=True, published_at=timezone.now())
    retry = caller.mutate("comment.create", comment, headers=_keyed())
    assert retry.body == first.body
    assert retry.status == 404
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert not Comment.objects.exists()
    assert caller.mutate("comment.create", comment, headers=_keyed("new")).status == 200


def test_a_refused_input_is_replayed(as_user, author):
    caller = as_user(author)
    first = caller.mutate("post.create", {"title": ""}, headers=_keyed())
    retry = caller.mutate("post.create", {"title": ""}, headers=_keyed())
    assert first.code == "BAD_REQUEST"
    assert retry.body == first.body
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_input_is_a_conflict_and_writes_nothing(as_user, author):
    caller = as_user(author)
    caller.mutate("post.create", _create("First"), headers=_keyed())
    other = caller.mutate("post.create", _create("Second"), headers=_keyed())
    assert (other.status, other.code) == (409, "CONFLICT")
    assert other.error["message"] == (
        "This idempotency key was first sent with another input: send a new key for a new call."
    )
    assert "Idempotent-Replayed" not in other.headers
    assert list(Post.objects.values_list("title", flat=True)) == ["First"]


def test_the_same_key_for_another_procedure_is_a_conflict(as_user, author):
    caller = as_user(author)
    post = caller.mutate("post.create", _create(), headers=_keyed()).data
    other = caller.mutate("post.delete", {"id": post["id"]}, headers=_keyed())
    assert other.code == "CONFLICT"
    assert "first sent to post.create" in other.error["message"]
    assert Post.objects.filter(pk=post["id"]).exists()


def test_the_order_of_an_inputs_fields_is_no_difference(as_user, author):
    caller = as_user(author)
    first = caller.mutate("post.create", {"title": "A", "content": "B"}, headers=_keyed())
    retry = caller.mutate("post.create", {"content": "B", "title": "A"}, headers=_keyed())
    assert retry.body == first.body
    assert Post.objects.count() == 1


def test_a_key_over_255_characters_is_refused_and_writes_nothing(as_user, author):
    caller = as_user(author)
    refused = caller.mutate("post.create", _create(), headers=_keyed("k" * 256))
    assert (refused.status, refused.code) == (400, "BAD_REQUEST")
    assert refused.error["message"] == "An idempotency key is at most 255 characters, not 256."
    assert not Post.objects.exists()
    assert not IdempotencyKey.objects.exists()
    assert caller.mutate("post.create", _create(), headers=_keyed("k" * 255)).status == 200


@pytest.mark.parametrize("key", ["", " leading", "trailing ", "tab\there", "caf\xe9"])
def test_a_key_that_is_not_printable_ascii_is_refused(as_user, author, key):
    refused = as_user(author).mutate("post.create", _create(), headers={"Idempotency-Key": key})
    assert refused.code == "BAD_REQUEST"
    assert "printable ASCII" in refused.error["message"]
    assert not Post.objects.exists()


def test_two_users_with_the_same_key_both_write(as_user, author, reader):
    first = as_user(author).mutate("post.create", _create(), headers=_keyed())
    second = as_user(reader).mutate("post.create", _create(), headers=_keyed())
    assert "Idempotent-Replayed" not in second.headers
    assert first.data["id"] != second.data["id"]
    assert set(Post.objects.values_list("author", flat=True)) == {author.id, reader.id}


def test_a_key_past_its_window_is_new(as_user, author, settings):
    settings.IDEMPOTENCY_WINDOW_SECONDS = 60
    caller = as_user(author)
    caller.mutate("post.create", _create("Old"), headers=_keyed())
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(seconds=59))
    assert caller.mutate("post.create", _create("Other"), headers=_keyed()).code == "CONFLICT"
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    fresh = caller.mutate("post.create", _create("New"), headers=_keyed())
    assert fresh.status == 200
    assert "Idempotent-Replayed" not in fresh.headers
    assert sorted(Post.objects.values_list("title", flat=True)) == ["New", "Old"]
    kept = IdempotencyKey.objects.get()
    assert kept.created_at > timezone.now() - timedelta(seconds=5)
    assert json.loads(kept.outcome)["data"]["json"]["title"] == "New"


def test_a_batch_of_one_takes_a_key(as_user, author):
    caller = as_user(author)
    answers = [
        caller.mutate("post.create", {"0": _create()}, batch=True, headers=_keyed())
        for _ in range(2)
    ]
    assert answers[1].body == answers[0].body
    assert answers[1].headers["Idempotent-Replayed"] == "true"
    assert Post.objects.count() == 1


def test_a_key_on_a_batch_of_several_calls_is_refused_and_runs_nothing(as_user, author):
    answer = as_user(author).mutate(
        "post.create,post.create",
        {"0": _create("One"), "1": _create("Two")},
        batch=True,
        headers=_keyed(),
    )
    assert (answer.status, answer.code) == (400, "BAD_REQUEST")
    assert "names one call" in answer.error["message"]
    assert not Post.objects.exists()


def test_a_key_on_a_streamed_batch_is_refused_and_runs_nothing(as_user, author):
    caller = as_user(author)
    response = caller.client.post(
        "/api/trpc/post.create?batch=1",
        json.dumps({"0": _create()}),
        content_type="application/json",
        headers={**_keyed(), "trpc-accept": "application/jsonl"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["data"]["code"] == "BAD_REQUEST"
    assert not Post.objects.exists()


def test_a_query_ignores_a_key(as_user, author):
    post = PostFactory(author=author)
    caller = as_user(author)
    for _ in range(2):
        answer = caller.query("post.byId", {"id": str(post.id)}, headers=_keyed("k" * 300))
        assert answer.status == 200
        assert "Idempotent-Replayed" not in answer.headers
    assert not IdempotencyKey.objects.exists()


def test_a_key_from_a_caller_not_signed_in_changes_nothing(trpc):
    answer = trpc.mutate("post.create", _create(), headers=_keyed())
    assert answer.code == "UNAUTHORIZED"
    assert not IdempotencyKey.objects.exists()


def test_a_retry_gets_the_first_answer_in_its_own_transformer(as_user, author):
    caller = as_user(author)
    plain = caller.mutate("post.create", _create(), headers=_keyed())
    wrapped = caller.mutate(
        "post.create", {"json": _create()}, headers={**_keyed(), "X-Trpc-Transformer": "superjson"}
    )
    assert wrapped.headers["Idempotent-Replayed"] == "true"
    assert wrapped.data["json"] == plain.data
    assert wrapped.data["meta"]["values"]["createdAt"] == ["Date"]
    assert Post.objects.count() == 1


def test_a_quoted_key_is_the_same_key(as_user, author):
    caller = as_user(author)
    first = caller.mutate("post.create", _create(), headers=_keyed('"a \\"quoted\\" key"'))
    retry = caller.mutate("post.create", _create(), headers=_keyed('"a \\"quoted\\" key"'))
    assert retry.body == first.body
    assert IdempotencyKey.objects.get().key == 'a "quoted" key'


# --- The key's rules, and what is kept --------------------------------------------------------

_PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@given(st.text(_PRINTABLE, min_size=1, max_size=255))
def test_printable_ascii_without_edge_spaces_is_a_key(text):
    key = text.strip(" ") or "k"
    idempotency.check_key(key)


@given(st.text(min_size=1, max_size=300))
def test_a_key_outside_the_rules_is_refused(text):
    is_key = (
        len(text) <= 255
        and all(" " <= character <= "~" for character in text)
        and text[0] != " "
        and text[-1] != " "
    )
    try:
        idempotency.check_key(text)
    except InvalidInput:
        assert not is_key
    else:
        assert is_key


@given(st.text(_PRINTABLE))
def test_a_structured_field_string_names_its_contents(text):
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    assert idempotency.key_from_header(quoted) == text


def test_a_header_not_quoted_is_its_own_key():
    assert idempotency.key_from_header('"not" closed') == '"not" closed'
    assert idempotency.key_from_header("plain") == "plain"


def test_an_answer_saying_not_now_is_not_kept_so_the_retry_runs(author):
    unavailable = trpc.TrpcError("SERVICE_UNAVAILABLE", "Later.", "post.create", retry_after=1)
    runs: list[str] = []

    def run(outcome):
        def answer():
            runs.append(outcome)
            return outcome

        return answer

    first = idempotency.call_once(
        user=author, key=KEY, path="post.create", raw_input={}, run=run(unavailable)
    )
    assert first == unavailable
    assert not IdempotencyKey.objects.exists()
    done = trpc.Success({"id": 1}, "post.create")
    second = idempotency.call_once(
        user=author, key=KEY, path="post.create", raw_input={}, run=run(done)
    )
    assert second == done
    assert runs == [unavailable, done]


def test_a_caller_not_signed_in_is_refused_a_key():
    with pytest.raises(InvalidInput, match="Sign in"):
        idempotency.call_once(
            user=AnonymousUser(), key=KEY, path="post.create", raw_input={}, run=pytest.fail
        )


def test_an_input_nested_past_the_interpreters_limit_is_refused_with_a_key(author):
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(InvalidInput, match="nested too deeply"):
        idempotency.call_once(
            user=author, key=KEY, path="post.create", raw_input=deep, run=pytest.fail
        )


def test_a_deleted_user_takes_their_keys_along(as_user):
    user = UserFactory()
    as_user(user).mutate("post.create", _create(), headers=_keyed())
    user.delete()
    assert not IdempotencyKey.objects.exists()


# --- Pruning ------------------------------------------------------------------------------------


def _key_claimed(ago: timedelta, user) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        user=user,
        key=f"k-{ago.total_seconds()}",
        path="post.create",
        fingerprint="0" * 64,
        outcome='{"data":{"json":null}}',
        created_at=timezone.now() - ago,
    )


def test_prune_deletes_keys_older_than_the_window_by_default(author, settings, capsys):
    settings.IDEMPOTENCY_WINDOW_SECONDS = 3600
    _key_claimed(timedelta(minutes=61), author)
    recent = _key_claimed(timedelta(minutes=59), author)
    call_command("prune_idempotency_keys")
    assert list(IdempotencyKey.objects.all()) == [recent]
    assert "Deleted 1 idempotency key(s) claimed more than 3600s ago." in capsys.readouterr().out


def test_prune_takes_another_age_and_refuses_one_it_cannot_read(author):
    _key_claimed(timedelta(minutes=45), author)
    with pytest.raises(CommandError, match="is not a duration"):
        call_command("prune_idempotency_keys", older_than="soon")
    assert IdempotencyKey.objects.exists()
    call_command("prune_idempotency_keys", older_than="30m")
    assert not IdempotencyKey.objects.exists()
