"""SuperJSON, the tRPC transformer: ``{"json", "meta"}`` wrapping of values JSON cannot carry.

Pure (no Django): Python values in, Python values out. A JavaScript ``Date`` is a timezone-aware
``datetime``, ``undefined`` is ``UNDEFINED`` (dropped from objects on the way in), ``BigInt`` an
``int``, ``Set`` a ``list``, ``Map`` a ``dict`` (or a list of pairs when its keys are not strings).
"""

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class SuperjsonError(ValueError):
    """The payload claims to be SuperJSON but cannot be restored."""


class _Undefined:
    """JavaScript's ``undefined``: a value that is not there."""

    _instance: "_Undefined | None" = None

    def __new__(cls) -> "_Undefined":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED = _Undefined()

_ISO_DATE = re.compile(
    r"^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$"
)
_NUMBERS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def is_wrapped(value: object) -> bool:
    """Whether ``value`` is SuperJSON-shaped: an object with a ``json`` key and maybe ``meta``."""
    return isinstance(value, dict) and "json" in value and set(value) <= {"json", "meta"}


def js_iso(moment: datetime) -> str:
    """``Date.prototype.toISOString``: UTC, milliseconds, ``Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def parse_js_date(text: object) -> datetime:
    """An ISO string as ``Date`` writes it (or any ISO 8601 instant); a naive one is UTC."""
    if not isinstance(text, str) or not _ISO_DATE.match(text):
        raise SuperjsonError(f"Not a date: {text!r}")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SuperjsonError(f"Not a date: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- paths ----------------------------------------------------------------------------------


def escape_key(key: str) -> str:
    return key.replace("\\", "\\\\").replace(".", "\\.")


def parse_path(path: str) -> list[str]:
    """A dotted path into its keys; ``\\.`` is a dot inside a key, ``\\\\`` a backslash."""
    keys, current, index = [], [], 0
    while index < len(path):
        char = path[index]
        if char == "\\" and index + 1 < len(path) and path[index + 1] in ".\\":
            current.append(path[index + 1])
            index += 2
            continue
        if char == ".":
            keys.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    keys.append("".join(current))
    return keys


# --- encoding -------------------------------------------------------------------------------


def serialize(value: Any) -> dict[str, Any]:
    """``value`` as ``{"json": …, "meta": {"values": …, "v": 1}}``; no ``meta`` when plain."""
    annotations: dict[str, list[str]] = {}
    json_value, root_type = _encode_root(value, annotations)
    if root_type is not None:
        return {"json": json_value, "meta": {"values": [root_type], "v": 1}}
    if not annotations:
        return {"json": json_value}
    return {"json": json_value, "meta": {"values": annotations, "v": 1}}


def to_plain_json(value: Any) -> Any:
    """``value`` without a transformer: dates become ISO strings, ``UNDEFINED`` ``None``."""
    return _encode_root(value, None)[0]


@dataclass(frozen=True, slots=True)
class Encoded:
    """A value its producer already wrote in JSON form (dates as ``js_iso`` strings), with the
    annotations of its inner paths (``{"0.createdAt": ["Date"]}``): taken as it is, so a
    producer that knows its shape spares the walk below."""

    json: Any
    annotations: dict[str, list[str]]


# One pass builds the JSON value and, when ``annotations`` is given, the flat
# ``{dotted path: [type]}`` of every value JSON cannot carry, in depth-first order. A path is
# joined only for a value that needs one; plain leaves are copied without a call.
_PLAIN_LEAVES = (str, int, bool, type(None))


def _encode_root(value: Any, annotations: dict[str, list[str]] | None) -> tuple[Any, str | None]:
    """(the JSON value, the type of a root that is itself a special leaf, or None)."""
    if type(value) in _PLAIN_LEAVES:
        return value, None
    if isinstance(value, dict | list | tuple):
        return _encode(value, annotations, []), None
    if isinstance(value, Encoded):
        if annotations is not None:
            annotations.update(value.annotations)
        return value.json, None
    return _special(value)


class PythonFloat(float):
    """A finite float marked to be written as Python's ``repr`` spells it (``1e-05``), as the
    standard library's encoder always wrote it; ``api.trpc.dumps`` keeps that spelling."""

    __slots__ = ()


def _special(value: Any) -> tuple[Any, str | None]:
    """A leaf JSON cannot carry as (its JSON stand-in, its SuperJSON type); others as they are."""
    if isinstance(value, datetime):
        return js_iso(value), "Date"
    if value is UNDEFINED:
        return None, "undefined"
    if isinstance(value, float):
        if math.isfinite(value):
            return PythonFloat(value), None
        return ("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")), (
            "number"
        )
    return value, None


def _encode(
    container: dict[Any, Any] | list[Any] | tuple[Any, ...],
    annotations: dict[str, list[str]] | None,
    keys: list[str],
) -> Any:
    plain = _PLAIN_LEAVES
    if isinstance(container, dict):
        into: dict[str, Any] = {}
        for raw_key, item in container.items():
            key = raw_key if type(raw_key) is str else str(raw_key)
            if type(item) in plain:
                into[key] = item
                continue
            keys.append(escape_key(key))
            json_item = _encode_member(item, annotations, keys)
            if item is not UNDEFINED:
                into[key] = json_item
            keys.pop()
        return into
    items: list[Any] = []
    for index, item in enumerate(container):
        if type(item) in plain:
            items.append(item)
            continue
        keys.append(str(index))
        items.append(_encode_member(item, annotations, keys))
        keys.pop()
    return items


def _encode_member(item: Any, annotations: dict[str, list[str]] | None, keys: list[str]) -> Any:
    """The JSON value of a member (not a plain leaf) at the path ``keys``."""
    if isinstance(item, dict | list | tuple):
        return _encode(item, annotations, keys)
    if isinstance(item, Encoded):
        if annotations is not None and item.annotations:
            prefix = ".".join(keys)
            for path, leaf in item.annotations.items():
                annotations[f"{prefix}.{path}"] = leaf
        return item.json
    json_item, type_name = _special(item)
    if type_name is not None and annotations is not None:
        annotations[".".join(keys)] = [type_name]
    return json_item


# --- decoding -------------------------------------------------------------------------------


def deserialize(payload: object) -> Any:
    """The value a ``{"json", "meta"}`` payload stands for; ``SuperjsonError`` if it can't be."""
    if not is_wrapped(payload):
        raise SuperjsonError("A SuperJSON payload is an object with a 'json' key.")
    assert isinstance(payload, dict)
    value = payload["json"]
    meta = payload.get("meta")
    if meta is None:
        return value
    if not isinstance(meta, dict):
        raise SuperjsonError("'meta' must be an object.")
    annotations = meta.get("values")
    if annotations is None:
        return value
    # Restoring rewrites containers in place; the caller's payload stays as it was.
    return _apply(copy.deepcopy(value), annotations)


def _apply(value: Any, tree: Any) -> Any:
    if isinstance(tree, list):
        # [type] or [type, {inner paths}] (a Map or Set whose members need restoring too).
        if not tree or not isinstance(tree[0], str) or len(tree) > 2:
            raise SuperjsonError("A type annotation is [type] or [type, inner annotations].")
        if len(tree) == 2:
            value = _apply(value, tree[1])
        return _restore(value, tree[0])
    if not isinstance(tree, dict):
        raise SuperjsonError("'meta.values' must be a list or an object.")
    # Deepest paths first, so a container is restored after its members.
    for path, leaf in sorted(tree.items(), key=lambda item: -len(parse_path(str(item[0])))):
        value = _apply_at(value, parse_path(str(path)), leaf)
    return value


def _apply_at(root: Any, keys: list[str], tree: Any) -> Any:
    if not keys:
        return _apply(root, tree)
    key, rest = keys[0], keys[1:]
    if isinstance(root, dict):
        if key not in root and not (isinstance(tree, list) and tree[:1] == ["undefined"]):
            raise SuperjsonError(f"'meta' names a missing key {key!r}.")
        restored = _apply_at(root.get(key), rest, tree)
        if restored is UNDEFINED and not rest:
            root.pop(key, None)
        else:
            root[key] = restored
        return root
    if isinstance(root, list):
        if not key.isdigit() or int(key) >= len(root):
            raise SuperjsonError(f"'meta' names a missing index {key!r}.")
        restored = _apply_at(root[int(key)], rest, tree)
        root[int(key)] = None if restored is UNDEFINED else restored
        return root
    raise SuperjsonError(f"'meta' names a path through a {type(root).__name__}.")


def _restore_number(value: Any) -> float:
    if value not in _NUMBERS:
        raise SuperjsonError(f"Not a special number: {value!r}")
    return _NUMBERS[value]


def _restore_bigint(value: Any) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"-?\d{1,400}", value):
        raise SuperjsonError(f"Not a bigint: {value!r}")
    return int(value)


def _restore_set(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise SuperjsonError("A Set is sent as an array.")
    return value


def _restore_map(value: Any) -> Any:
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 for pair in value
    ):
        raise SuperjsonError("A Map is sent as an array of [key, value] pairs.")
    if all(isinstance(pair[0], str) for pair in value):
        return {pair[0]: pair[1] for pair in value}
    return value


_RESTORERS: dict[str, Callable[[Any], Any]] = {
    "Date": parse_js_date,
    "undefined": lambda value: UNDEFINED,
    "bigint": _restore_bigint,
    "number": _restore_number,
    "set": _restore_set,
    "map": _restore_map,
}


def _restore(value: Any, type_name: str) -> Any:
    restorer = _RESTORERS.get(type_name)
    if restorer is None:
        raise SuperjsonError(f"Values of type {type_name!r} are not accepted.")
    return restorer(value)
