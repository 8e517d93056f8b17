"""SuperJSON: what @trpc/client's transformer sends is restored, and what we send restores."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api import superjson
from api.superjson import UNDEFINED, SuperjsonError

moments = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
keys = st.text(max_size=8)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | moments,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


@given(values)
def test_any_value_survives_serialize_then_deserialize(value):
    wire = json.loads(json.dumps(superjson.serialize(value)))
    assert superjson.deserialize(wire) == value


@given(values)
def test_plain_json_has_no_dates_left(value):
    json.dumps(superjson.to_plain_json(value))


def test_the_client_s_batched_input_is_restored():
    sent = {
        "json": {"limit": 2, "since": "1970-01-01T00:00:00.005Z"},
        "meta": {"values": {"since": ["Date"]}, "v": 1},
    }
    assert superjson.deserialize(sent) == {
        "limit": 2,
        "since": datetime(1970, 1, 1, 0, 0, 0, 5000, tzinfo=UTC),
    }


def test_undefined_at_the_root_and_bare_dates():
    assert superjson.deserialize({"json": None, "meta": {"values": ["undefined"], "v": 1}}) is (
        UNDEFINED
    )
    bare = {"json": "1970-01-01T00:00:00.000Z", "meta": {"values": ["Date"], "v": 1}}
    assert superjson.deserialize(bare) == datetime(1970, 1, 1, tzinfo=UTC)
    assert superjson.serialize(datetime(1970, 1, 1, tzinfo=UTC)) == bare


def test_nested_paths_are_dotted_and_dots_in_keys_escaped():
    value = {"b": [datetime(2024, 5, 1, tzinfo=UTC)], "a.b": datetime(2024, 5, 2, tzinfo=UTC)}
    wire = superjson.serialize(value)
    assert wire["meta"]["values"] == {"b.0": ["Date"], "a\\.b": ["Date"]}
    assert wire["json"] == {"b": ["2024-05-01T00:00:00.000Z"], "a.b": "2024-05-02T00:00:00.000Z"}
    assert superjson.deserialize(wire) == value


def test_undefined_members_are_dropped_from_objects():
    sent = {"json": {"title": "t"}, "meta": {"values": {"excerpt": ["undefined"]}, "v": 1}}
    assert superjson.deserialize(sent) == {"title": "t"}


def test_plain_values_need_no_meta():
    assert superjson.serialize({"x": 1}) == {"json": {"x": 1}}


def test_sets_maps_and_bigints_become_python_values():
    sent = {
        "json": {"s": [1, 2], "m": [["k", "v"]], "n": "12345678901234567890"},
        "meta": {"values": {"s": ["set"], "m": ["map"], "n": ["bigint"]}, "v": 1},
    }
    assert superjson.deserialize(sent) == {"s": [1, 2], "m": {"k": "v"}, "n": 12345678901234567890}


@pytest.mark.parametrize(
    "payload",
    [
        {"json": "yesterday", "meta": {"values": ["Date"]}},
        {"json": {}, "meta": {"values": {"missing": ["Date"]}}},
        {"json": 1, "meta": {"values": ["regexp"]}},
        {"json": 1, "meta": "no"},
        {"json": [1], "meta": {"values": {"5": ["Date"]}}},
        {"nope": 1},
    ],
)
def test_payloads_that_cannot_be_restored_are_refused(payload):
    with pytest.raises(SuperjsonError):
        superjson.deserialize(payload)


@given(st.text())
def test_path_escaping_round_trips(key):
    assert superjson.parse_path(superjson.escape_key(key)) == [key]
