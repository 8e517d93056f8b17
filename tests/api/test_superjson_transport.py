"""The SuperJSON transformer over HTTP: dates arrive restored and leave typed, per request."""

import json
from datetime import datetime

import pytest

from api import superjson
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_superjson_request_gets_dates_back_as_dates(trpc, author):
    post = PostFactory(author=author)
    answer = trpc.query(
        "post.list,user.me",
        {
            "0": {
                "json": {"limit": 2, "since": "1970-01-01T00:00:00.005Z"},
                "meta": {"values": {"since": ["Date"]}, "v": 1},
            },
            "1": {"json": None, "meta": {"values": ["undefined"], "v": 1}},
        },
        batch=True,
    )
    listed, me = answer.body
    wire = listed["result"]["data"]
    assert wire["meta"]["values"]["items.0.createdAt"] == ["Date"]
    assert wire["meta"]["v"] == 1
    restored = superjson.deserialize(wire)
    created = restored["items"][0]["createdAt"]
    assert isinstance(created, datetime)
    assert abs((created - post.created_at).total_seconds()) < 0.001
    assert me["error"]["json"]["data"]["code"] == "UNAUTHORIZED"


def test_plain_json_requests_get_iso_strings(trpc, author):
    post = PostFactory(author=author)
    created = trpc.query("post.list").data["items"][0]["createdAt"]
    assert created == superjson.js_iso(post.created_at)


def test_a_superjson_mutation_round_trips(as_user, author):
    answer = as_user(author).mutate("post.create", {"0": {"json": {"title": "Typed"}}}, batch=True)
    data = superjson.deserialize(answer.body[0]["result"]["data"])
    assert data["title"] == "Typed"
    assert isinstance(data["updatedAt"], datetime)


def test_undefined_members_are_absent_fields(as_user, author):
    post = PostFactory(author=author, title="Same")
    sent = {"json": {"id": str(post.id)}, "meta": {"values": {"title": ["undefined"]}, "v": 1}}
    answer = as_user(author).mutate("post.update", sent)
    assert superjson.deserialize(answer.body["result"]["data"])["title"] == "Same"


def test_the_header_forces_plain_json_for_an_input_that_looks_like_superjson(trpc):
    answer = trpc.query("post.list", {"json": {"limit": 1}}, headers={"X-Trpc-Transformer": "json"})
    assert answer.status == 200
    assert "json" not in answer.data  # read as plain input, answered plainly
    forced = trpc.query("post.list", headers={"X-Trpc-Transformer": "superjson"})
    assert set(forced.data) == {"json"} or set(forced.data) == {"json", "meta"}


def test_the_setting_chooses_the_default(trpc, settings):
    settings.API_TRPC_TRANSFORMER = "superjson"
    assert "json" in trpc.query("post.list").data


def test_an_unrestorable_superjson_input_is_a_bad_request(trpc):
    answer = trpc.query("post.list", {"json": {}, "meta": {"values": {"x": ["Date"]}}})
    assert answer.status == 400
    assert answer.body["error"]["json"]["data"]["code"] == "BAD_REQUEST"
    assert json.dumps(answer.body)
