"""Anonymous tRPC queries by the short way (api.anonymous_reads): the same answers as Django's
way, headers included; credentials and odd requests still go to Django; replayed answers are
never stale after a write and still count against the caller's rate."""

import dataclasses
import json
import os
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.test import Client
from prometheus_client import REGISTRY

from accounts.providers import local
from api.anonymous_reads import AnonymousReads
from api.answer_replays import Replay, ReplayStore
from blog import read_cache, services
from blog.models import Post
from config.http_handler import SyncChainASGIHandler
from lib import process_cache
from tests.asgi_http import AsgiAnswer, asgi_request
from tests.factories import PostFactory
from tests.live_server import free_port

# The door's worker threads have their own database connections.
pytestmark = pytest.mark.django_db(transaction=True)

FIRST_PAGE = "/api/trpc/post.list?input=" + quote(json.dumps({"limit": 5}))
FIRST_PAGE_SUPERJSON = "/api/trpc/post.list?input=" + quote(json.dumps({"json": {"limit": 5}}))


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_READ_CACHE_SECONDS = 60


@pytest.fixture
def django_way():
    return SyncChainASGIHandler()


@pytest.fixture
def short_way(django_way):
    return AnonymousReads(django_way)


def titles(answer: AsgiAnswer) -> list[str]:
    assert answer.status == 200, answer.body
    data = json.loads(answer.body)["result"]["data"]
    return [item["title"] for item in data.get("json", data)["items"]]


def drop_read_cache_entries() -> None:
    """Empty the read cache (the shared entries and this process's copies) but keep the read
    versions: only a replay can still answer."""
    cache = process_cache.process_cache()
    cache.delete_many([f"public_read.v3.post_list.{limit}" for limit in range(1, 51)])
    read_cache._recent = read_cache._RecentEntries(capacity=read_cache._RECENT_BYTES)


def next_cursor(short_way) -> str:
    answer = asgi_request(short_way, "GET", FIRST_PAGE)
    return json.loads(answer.body)["result"]["data"]["nextCursor"]


SAME_ANSWER_REQUESTS = [
    pytest.param(FIRST_PAGE, {}, id="first-page"),
    pytest.param(FIRST_PAGE_SUPERJSON, {}, id="first-page-superjson"),
    pytest.param(FIRST_PAGE, {"x-trpc-transformer": "json"}, id="transformer-header"),
    pytest.param(FIRST_PAGE, {"accept": "application/json"}, id="accept-json"),
    pytest.param("/api/trpc/post.list,post.list?batch=1", {}, id="batch"),
    pytest.param("/api/trpc/post.list?input=" + quote('{"limit": 0}'), {}, id="bad-input"),
    pytest.param("/api/trpc/post.list?input=" + quote("{nope"), {}, id="bad-json"),
    pytest.param("/api/trpc/no.such.procedure", {}, id="unknown-procedure"),
    pytest.param("/api/trpc/post.create", {}, id="mutation-by-get"),
    pytest.param("/api/trpc/user.me", {}, id="needs-sign-in"),
    pytest.param("/api/trpc/post.bySlug?input=" + quote('{"slug": "nope"}'), {}, id="not-found"),
    pytest.param(
        "/api/trpc/" + ",".join(["post.list"] * 21) + "?batch=1", {}, id="batch-too-large"
    ),
    pytest.param(FIRST_PAGE, {"x-forwarded-proto": "https"}, id="proxy-scheme"),
]


@pytest.mark.parametrize(("path", "headers"), SAME_ANSWER_REQUESTS)
def test_the_short_way_answers_as_django_does(short_way, django_way, author, path, headers):
    PostFactory.create_batch(7, author=author)
    by_django = asgi_request(django_way, "GET", path, headers=headers)
    first = asgi_request(short_way, "GET", path, headers=headers)
    again = asgi_request(short_way, "GET", path, headers=headers)  # a replay where one is kept
    assert first == by_django
    assert again == by_django


def test_a_cursor_page_answers_as_django_does(short_way, django_way, author):
    PostFactory.create_batch(7, author=author)
    path = "/api/trpc/post.list?input=" + quote(
        json.dumps({"limit": 5, "cursor": next_cursor(short_way)})
    )
    assert asgi_request(short_way, "GET", path) == asgi_request(django_way, "GET", path)


def test_a_disallowed_host_is_refused_as_django_refuses_it(short_way, django_way):
    headers = {"host": "evil.example"}
    by_django = asgi_request(django_way, "GET", FIRST_PAGE, headers=headers)
    assert by_django.status == 400
    assert asgi_request(short_way, "GET", FIRST_PAGE, headers=headers) == by_django


def test_a_bearer_token_goes_to_django(short_way, author):
    token = local.issue_token(user=author, kind="access")
    answer = asgi_request(
        short_way, "GET", "/api/trpc/user.me", headers={"authorization": f"Bearer {token}"}
    )
    assert answer.status == 200
    assert json.loads(answer.body)["result"]["data"]["email"] == author.email


def test_a_session_cookie_goes_to_django(short_way, author):
    browser = Client()
    browser.force_login(author)
    cookie = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    answer = asgi_request(
        short_way,
        "GET",
        "/api/trpc/user.me",
        headers={"cookie": f"{django_settings.SESSION_COOKIE_NAME}={cookie}"},
    )
    assert answer.status == 200
    assert json.loads(answer.body)["result"]["data"]["email"] == author.email


def test_an_accept_header_drf_refuses_goes_to_django(short_way, django_way):
    # (text/event-stream is EventSource's: answered, as tRPC answers any Accept; api.sse)
    headers = {"accept": "text/csv"}
    by_django = asgi_request(django_way, "GET", FIRST_PAGE, headers=headers)
    assert by_django.status == 406
    assert asgi_request(short_way, "GET", FIRST_PAGE, headers=headers) == by_django


def test_a_replay_is_sent_while_nothing_announced_changed(short_way, author):
    post = PostFactory(author=author, title="Before")
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["Before"]
    # Unannounced (around the services), and the read cache emptied: only a replay still
    # answers "Before"; it may, for PUBLIC_READ_CACHE_SECONDS.
    Post.objects.filter(id=post.id).update(title="Unannounced")
    drop_read_cache_entries()
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["Before"]


def test_a_replay_is_never_sent_after_an_announced_write(short_way, author):
    post = PostFactory(author=author, title="Before")
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["Before"]
    services.update_post(post=post, title="After")
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["After"]
    services.create_post(author=author, title="Newer", published=True)
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["Newer", "After"]


def test_a_replay_ends_with_the_read_cache_time(settings, short_way, author):
    settings.PUBLIC_READ_CACHE_SECONDS = 1
    post = PostFactory(author=author, title="Before")
    asgi_request(short_way, "GET", FIRST_PAGE)
    Post.objects.filter(id=post.id).update(title="Unannounced")
    drop_read_cache_entries()
    # As if the second had passed.
    [(key, replay)] = short_way._replays._entries.items()
    short_way._replays._entries[key] = dataclasses.replace(replay, expires_at=time.time())
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["Unannounced"]


def test_an_answer_with_a_call_not_shared_is_never_replayed(short_way, author):
    post = PostFactory(author=author, title="Before")
    PostFactory.create_batch(6, author=author)
    cursor = next_cursor(short_way)
    batch = "/api/trpc/post.list,post.list?batch=1&input=" + quote(
        json.dumps({"0": {"limit": 50}, "1": {"limit": 5, "cursor": cursor}})
    )
    asgi_request(short_way, "GET", batch)
    Post.objects.filter(id=post.id).update(title="Unannounced")
    drop_read_cache_entries()
    answers = json.loads(asgi_request(short_way, "GET", batch).body)
    assert "Unannounced" in [item["title"] for item in answers[0]["result"]["data"]["items"]]


def test_replays_count_against_the_anonymous_rate(settings, short_way, django_way, author):
    settings.API_THROTTLE_RATES = {"anonymous": "3/minute", "user": None}
    PostFactory(author=author)
    for _ in range(3):
        assert asgi_request(short_way, "GET", FIRST_PAGE).status == 200
    refused = asgi_request(short_way, "GET", FIRST_PAGE)
    assert refused.status == 429
    assert int(refused.headers["retry-after"]) > 0
    assert json.loads(refused.body)["error"]["data"]["code"] == "TOO_MANY_REQUESTS"
    # Another caller (another address behind the same proxy) has a budget of its own.
    settings.AUTH_PROXY_COUNT = 1
    other = asgi_request(short_way, "GET", FIRST_PAGE, headers={"x-forwarded-for": "10.1.1.1"})
    assert other.status == 200


@pytest.mark.redis
def test_replays_on_redis_are_fresh_and_counted(settings, monkeypatch, author):
    from config.cache import FailSoftRedisCache

    location = os.environ["REDIS_URL"]
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    prefix = f"test-replays-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailSoftRedisCache",
                                   "LOCATION": location, "KEY_PREFIX": prefix,
                                   "OPTIONS": options}}  # fmt: skip
    monkeypatch.setattr(
        process_cache,
        "_shared",
        FailSoftRedisCache(location, {"KEY_PREFIX": prefix, "OPTIONS": options}),
    )
    settings.API_THROTTLE_RATES = {"anonymous": "4/minute", "user": None}
    short_way = AnonymousReads(SyncChainASGIHandler())
    post = PostFactory(author=author, title="Before")
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["Before"]
    Post.objects.filter(id=post.id).update(title="Unannounced")
    drop_read_cache_entries()
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["Before"]  # replayed
    services.update_post(post=post, title="After")
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["After"]
    assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["After"]
    assert asgi_request(short_way, "GET", FIRST_PAGE).status == 429


def test_replays_while_redis_is_away_answer_from_the_database(settings, monkeypatch, author):
    from config.cache import FailSoftRedisCache

    dead = f"redis://127.0.0.1:{free_port()}/0"
    options = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailSoftRedisCache",
                                   "LOCATION": dead, "OPTIONS": options}}  # fmt: skip
    monkeypatch.setattr(process_cache, "_shared", FailSoftRedisCache(dead, {"OPTIONS": options}))
    settings.API_THROTTLE_RATES = {"anonymous": "3/minute", "user": None}
    short_way = AnonymousReads(SyncChainASGIHandler())
    PostFactory(author=author, title="Served")
    for _ in range(3):
        assert titles(asgi_request(short_way, "GET", FIRST_PAGE)) == ["Served"]
    # Counted in the process meanwhile, and still limited: a failed check refunds nothing.
    assert asgi_request(short_way, "GET", FIRST_PAGE).status == 429


def _replay(size: int) -> Replay:
    return Replay(200, (), b"x" * size, 1, ("v",), ("t",), expires_at=float("inf"))


def test_the_replay_store_keeps_the_most_recently_used_within_its_bounds():
    store = ReplayStore(max_entries=2, max_bytes=800)
    store.put(("a",), _replay(10))
    store.put(("b",), _replay(10))
    assert store.get(("a",)) is not None  # a is now the most recent
    store.put(("c",), _replay(10))
    assert store.get(("b",)) is None
    assert store.get(("a",)) is not None
    store.put(("big",), _replay(101))  # over an eighth of the bytes: never kept
    assert store.get(("big",)) is None
    for name in "defghijk":
        store.put((name,), _replay(100))
    assert sum(len(replay.body) for replay in store._entries.values()) <= 800


def test_both_ways_are_seen_in_the_metrics_as_the_trpc_route(short_way, author):
    PostFactory(author=author)

    def sample(name: str, labels: dict[str, str]) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    page = {"page": "api:trpc", "status": "2xx"}
    before = sample("inkwell_page_responses_total", page)
    sent = sample("inkwell_answer_replays_total", {"outcome": "sent"})
    asgi_request(short_way, "GET", FIRST_PAGE)  # the short way: the middleware records it
    asgi_request(short_way, "GET", FIRST_PAGE)  # a replay
    assert sample("inkwell_page_responses_total", page) == before + 2
    assert sample("inkwell_answer_replays_total", {"outcome": "sent"}) == sent + 1
