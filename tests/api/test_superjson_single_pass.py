"""The one-pass SuperJSON encoder and orjson write the same bytes as the recursive walk and the
standard library's encoder did before them (kept below as the reference)."""

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from api import superjson, trpc
from api.superjson import UNDEFINED, escape_key, js_iso

# --- the reference: the encoder as it was -----------------------------------------------------


def _reference_walk(value: Any) -> tuple[Any, Any]:
    if isinstance(value, datetime):
        return js_iso(value), ["Date"]
    if value is UNDEFINED:
        return None, ["undefined"]
    if isinstance(value, float) and not math.isfinite(value):
        return ("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")), [
            "number"
        ]
    if isinstance(value, dict):
        items: Any = {}
        inner: dict[str, Any] = {}
        for key, item in value.items():
            json_item, tree = _reference_walk(item)
            if item is not UNDEFINED:
                items[str(key)] = json_item
            _reference_nest(inner, escape_key(str(key)), tree)
        return items, (inner or None)
    if isinstance(value, list | tuple):
        items = []
        inner = {}
        for index, item in enumerate(value):
            json_item, tree = _reference_walk(item)
            items.append(json_item)
            _reference_nest(inner, str(index), tree)
        return items, (inner or None)
    return value, None


def _reference_nest(into: dict[str, Any], key: str, tree: Any) -> None:
    if isinstance(tree, list):
        into[key] = tree
    elif isinstance(tree, dict):
        for path, leaf in tree.items():
            into[f"{key}.{path}"] = leaf


def _reference_serialize(value: Any) -> dict[str, Any]:
    json_value, annotations = _reference_walk(value)
    if annotations is None:
        return {"json": json_value}
    return {"json": json_value, "meta": {"values": annotations, "v": 1}}


def _reference_dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


# --- values as outputs hold them ----------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)
# Keys with the path syntax's own characters, and text with escapes JSON writers differ on.
keys = st.text(alphabet=st.sampled_from('ab.\\\x00\n"é✓\u2028'), max_size=5) | st.integers(0, 3)
leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text()
    | moments
    | st.just(UNDEFINED)
)
values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=25,
)


@given(values)
def test_superjson_answers_are_the_bytes_the_reference_wrote(value):
    assert trpc.dumps(superjson.serialize(value)) == _reference_dumps(_reference_serialize(value))


@given(values)
def test_plain_json_answers_are_the_bytes_the_reference_wrote(value):
    expected = _reference_dumps(_reference_walk(value)[0])
    assert trpc.dumps(superjson.to_plain_json(value)) == expected


def test_a_root_date_and_a_date_under_an_empty_key_keep_their_own_meta():
    moment = datetime(2024, 5, 1, tzinfo=UTC)
    assert superjson.serialize(moment)["meta"]["values"] == ["Date"]
    assert superjson.serialize({"": moment})["meta"]["values"] == {"": ["Date"]}


def test_a_nesting_deeper_than_orjson_takes_is_still_written():
    value: Any = "leaf"
    for _ in range(300):
        value = [value]
    assert trpc.dumps(value) == _reference_dumps(value)


def test_a_date_that_skipped_the_transformer_is_refused_as_before():
    try:
        trpc.dumps({"at": datetime(2024, 5, 1, tzinfo=UTC)})
    except TypeError:
        return
    raise AssertionError("a raw datetime was written")


containers = st.one_of(
    st.lists(values, max_size=4), st.dictionaries(keys, values, min_size=1, max_size=4)
)


@given(containers, keys)
def test_a_value_its_producer_encoded_is_written_as_the_walk_writes_the_value(value, key):
    wire = superjson.serialize(value)
    encoded = superjson.Encoded(wire["json"], wire.get("meta", {}).get("values", {}))
    for outer in (lambda inner: {key: [1, inner]}, lambda inner: inner):
        assert trpc.dumps(superjson.serialize(outer(encoded))) == trpc.dumps(
            superjson.serialize(outer(value))
        )
        assert trpc.dumps(superjson.to_plain_json(outer(encoded))) == trpc.dumps(
            superjson.to_plain_json(outer(value))
        )
