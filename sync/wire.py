"""Typed message declarations ↔ JSON bytes: one encode path, one decode path.

A message is a frozen dataclass subclassing ``Message`` with class-level ``KIND``,
``MAJOR``/``MINOR`` schema version and ``MAX_BYTES``. Fields may be ``str``, ``int``,
``float``, ``bool``, ``Literal[...]``, nested dataclasses, ``list[X]`` and
``dict[str, X]``. Decoding checks every field against its declared type and raises
``WireError`` with a short machine-readable reason (counted by the receivers) and a
human-readable detail that names the field and what was expected, never the value (a
value may be a patient's name or birth date). Pure: imports no paho, no sqlite.

Any bytes decode to a message or a ``WireError``: lone surrogates, NaN/Infinity, integers
past 2^53, nesting past ``_MAX_DEPTH``, duplicate keys and a BOM are all rejected.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar, Literal, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from core.errors import WireError

M = TypeVar("M", bound="Message")
T = TypeVar("T")

# Reasons a payload is rejected; receivers count them under these names.
TOO_LARGE = "too_large"
NOT_JSON = "not_json"
NOT_OBJECT = "not_object"
UNKNOWN_KIND = "unknown_kind"
WRONG_KIND = "wrong_kind"
UNKNOWN_MAJOR = "unknown_major"
BAD_SCHEMA = "bad_schema"
MISSING_FIELD = "missing_field"
WRONG_TYPE = "wrong_type"
BAD_VALUE = "bad_value"
TOPIC_MISMATCH = "topic_mismatch"
DUPLICATE_KEY = "duplicate_key"
REJECT_REASONS = (
    TOO_LARGE,
    NOT_JSON,
    NOT_OBJECT,
    UNKNOWN_KIND,
    WRONG_KIND,
    UNKNOWN_MAJOR,
    BAD_SCHEMA,
    MISSING_FIELD,
    WRONG_TYPE,
    BAD_VALUE,
    TOPIC_MISMATCH,
    DUPLICATE_KEY,
)

_MAX_DEPTH = 8
# Integers a JSON number can carry exactly in every parser (IEEE double); larger ones are
# wrong_type. Versions have a tighter bound of their own (sync.messages.MAX_VERSION).
MAX_INT = 2**53


@dataclasses.dataclass(frozen=True)
class Message:
    """Base of every wire message. Subclasses are frozen dataclasses."""

    KIND: ClassVar[str] = ""
    MAJOR: ClassVar[int] = 1
    MINOR: ClassVar[int] = 0
    MAX_BYTES: ClassVar[int] = 16 * 1024

    def validate(self) -> None:
        """Cross-field checks beyond types; raise ``WireError(BAD_VALUE, ...)``."""


_REGISTRY: dict[str, type[Message]] = {}


def declare(cls: type[M]) -> type[M]:
    """Register a message class by its KIND (class decorator)."""
    if not cls.KIND or cls.KIND in _REGISTRY:
        raise TypeError(f"message kind {cls.KIND!r} is empty or declared twice")
    if {"kind", "schema"} & {f.name for f in dataclasses.fields(cls)}:
        raise TypeError(f"{cls.__name__}: 'kind' and 'schema' are the envelope's, not a field's")
    _REGISTRY[cls.KIND] = cls
    return cls


def message_types() -> dict[str, type[Message]]:
    return dict(_REGISTRY)


def encode(msg: Message) -> bytes:
    body: dict[str, Any] = {"kind": msg.KIND, "schema": f"{msg.MAJOR}.{msg.MINOR}"}
    body.update(_to_json(msg))
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    if len(data) > msg.MAX_BYTES:
        raise WireError(TOO_LARGE, f"{msg.KIND} encodes to {len(data)} bytes, limit {msg.MAX_BYTES}")
    return data


def decode(payload: bytes, expected: type[M]) -> M:
    """Decode ``payload`` as ``expected``; any other kind is a ``WRONG_KIND`` error."""
    if len(payload) > expected.MAX_BYTES:
        raise WireError(TOO_LARGE, f"{len(payload)} bytes, limit {expected.MAX_BYTES} for {expected.KIND}")
    body = _parse(payload)
    kind = body.get("kind")
    if kind != expected.KIND:
        raise WireError(WRONG_KIND, f"kind: expected {expected.KIND!r}")
    return _decode_body(body, expected)


def decode_any(payload: bytes) -> Message:
    """Decode a payload of any declared kind."""
    if len(payload) > max(c.MAX_BYTES for c in _REGISTRY.values()):
        raise WireError(TOO_LARGE, f"{len(payload)} bytes")
    body = _parse(payload)
    kind = body.get("kind")
    cls = _REGISTRY.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise WireError(UNKNOWN_KIND, "kind: not a declared message kind")
    if len(payload) > cls.MAX_BYTES:
        raise WireError(TOO_LARGE, f"{len(payload)} bytes, limit {cls.MAX_BYTES} for {cls.KIND}")
    return _decode_body(body, cls)


def parse_body(payload: bytes, expected: type[Message]) -> dict[str, Any]:
    """The JSON object of ``payload`` (size, UTF-8, JSON and duplicate keys checked as
    ``decode`` checks them), not yet read as ``expected``: for a receiver that reads a
    message's list item by item (``sync.schedule_rows``)."""
    if len(payload) > expected.MAX_BYTES:
        raise WireError(TOO_LARGE, f"{len(payload)} bytes, limit {expected.MAX_BYTES} for {expected.KIND}")
    return _parse(payload)


def decode_body(body: dict[str, Any], expected: type[M]) -> M:
    """``body`` (from ``parse_body``) read and validated as ``expected``."""
    if body.get("kind") != expected.KIND:
        raise WireError(WRONG_KIND, f"kind: expected {expected.KIND!r}")
    return _decode_body(body, expected)


def decode_part(data: Any, cls: type[T], where: str) -> T:
    """One nested part (a dataclass field's value) read as ``cls``, types checked, no
    cross-field validation: the caller runs it."""
    return cast(T, _from_json(data, cls, where, 1))


class _DuplicateKey(Exception):
    """A JSON object names a key twice: which value counts differs between parsers."""


def _parse(payload: bytes) -> dict[str, Any]:
    try:
        text = payload.decode("utf-8")
        if text.startswith("\ufeff"):  # what json.loads says of a BOM, in its words
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        body = _JSON.decode(text)
    except UnicodeDecodeError as exc:
        raise WireError(NOT_JSON, f"not UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        # exc.msg is the parser's own words ("Expecting value"), never the document's text.
        raise WireError(NOT_JSON, f"{exc.msg} at character {exc.pos}"[:120]) from None
    except _DuplicateKey:
        raise WireError(DUPLICATE_KEY, "an object names the same key twice") from None
    except RecursionError:
        raise WireError(NOT_JSON, "nested too deeply") from None
    except ValueError as exc:
        # NaN/Infinity (below) or an integer past the interpreter's digit limit.
        raise WireError(NOT_JSON, _value_error_reason(exc)) from None
    if not isinstance(body, dict):
        raise WireError(NOT_OBJECT, f"top level is {type(body).__name__}")
    return body


class _NonFinite(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NonFinite(name)


def _value_error_reason(exc: ValueError) -> str:
    if isinstance(exc, _NonFinite):
        return "NaN and Infinity are not JSON numbers"
    return "a number too long to read"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    body = dict(pairs)
    if len(body) != len(pairs):
        raise _DuplicateKey()
    return body


# One decoder for every payload (json.loads with hooks builds a new one per call).
_JSON = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)


def _decode_body(body: dict[str, Any], cls: type[M]) -> M:
    schema = body.get("schema")
    if not isinstance(schema, str) or not _is_version(schema):
        raise WireError(BAD_SCHEMA, "schema: expected 'MAJOR.MINOR'")
    major = int(schema.split(".")[0])
    if major != cls.MAJOR:
        raise WireError(UNKNOWN_MAJOR, f"{cls.KIND}: schema major differs, this side speaks {cls.MAJOR}.x")
    fields = {k: v for k, v in body.items() if k not in ("kind", "schema")}
    msg = cast(M, _from_json(fields, cls, cls.KIND, 0))
    msg.validate()
    return msg


def _is_version(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 2 and all(p.isdigit() and len(p) <= 4 for p in parts)


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value


# Decoding runs per message on the hub's and the kiosk's workers (10,000 replayed check-ins
# in one burst), so each declared type is read once: a class becomes a tuple of its fields'
# converters, a hint a converter function. What they check, and the words of each error,
# are exactly those of the type walk they replace.
_Convert = Callable[[Any, str, int], Any]


@cache
def _plan(cls: type) -> tuple[tuple[str, _Convert, bool], ...]:
    """(name, converter, required) of each field of ``cls``, in declaration order."""
    hints = get_type_hints(cls)
    return tuple(
        (
            fld.name,
            _converter(hints[fld.name]),
            fld.default is dataclasses.MISSING and fld.default_factory is dataclasses.MISSING,
        )
        for fld in dataclasses.fields(cls)
    )


def _from_json(data: Any, cls: type, where: str, depth: int) -> Any:
    if not isinstance(data, dict):
        raise WireError(WRONG_TYPE, f"{where}: expected an object, got {type(data).__name__}")
    values: dict[str, Any] = {}
    for name, convert, required in _plan(cls):
        if name in data:
            values[name] = convert(data[name], f"{where}.{name}", depth + 1)
        elif required:
            raise WireError(MISSING_FIELD, f"{where}.{name}")
    # Unknown fields are ignored: a newer minor version may add them.
    return cls(**values)


def _too_deep(path: str, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise WireError(WRONG_TYPE, f"{path}: nested too deeply")


@cache
def _converter(hint: Any) -> _Convert:
    """The function that checks and converts a JSON value for a field declared ``hint``."""
    origin = get_origin(hint)
    if origin is Literal:
        allowed = get_args(hint)

        def literal(value: Any, path: str, depth: int) -> Any:
            _too_deep(path, depth)
            if value not in allowed or isinstance(value, bool):
                raise WireError(BAD_VALUE, f"{path}: not one of {allowed}")
            return value

        return literal
    if origin in (Union, types.UnionType):
        none_ok = type(None) in get_args(hint)
        inner = _converter(next(a for a in get_args(hint) if a is not type(None)))

        def optional(value: Any, path: str, depth: int) -> Any:
            _too_deep(path, depth)
            if value is None and none_ok:
                return None
            return inner(value, path, depth)

        return optional
    if origin is list:
        (item_hint,) = get_args(hint)
        return _list_converter(item_hint)
    if origin is dict:
        return _dict_converter(get_args(hint)[1])
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):

        def nested(value: Any, path: str, depth: int) -> Any:
            _too_deep(path, depth)
            return _from_json(value, hint, path, depth)

        return nested
    return _scalar_converter(hint)


def _list_converter(item_hint: Any) -> _Convert:
    item = _converter(item_hint)

    def a_list(value: Any, path: str, depth: int) -> Any:
        _too_deep(path, depth)
        if not isinstance(value, list):
            raise WireError(WRONG_TYPE, f"{path}: expected a list, got {type(value).__name__}")
        return [item(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]

    return a_list


def _dict_converter(item_hint: Any) -> _Convert:
    item = _converter(item_hint)

    def a_dict(value: Any, path: str, depth: int) -> Any:
        _too_deep(path, depth)
        if not isinstance(value, dict):
            raise WireError(WRONG_TYPE, f"{path}: expected an object, got {type(value).__name__}")
        for key in value:
            _check_text(key, f"{path} key")
        # The path says "[key]", not the key: a key may be anything the sender chose.
        return {k: item(v, f"{path}[key]", depth + 1) for k, v in value.items()}

    return a_dict


def _scalar_converter(hint: Any) -> _Convert:
    def scalar(value: Any, path: str, depth: int) -> Any:
        _too_deep(path, depth)
        return _scalar(value, hint, path)

    if hint is str:

        def text(value: Any, path: str, depth: int) -> Any:
            _too_deep(path, depth)
            if isinstance(value, str):
                if not value.isascii():  # only non-ASCII text can hold a lone surrogate
                    _check_text(value, path)
                return value
            return _scalar(value, hint, path)  # raises the usual wrong_type

        return text
    return scalar


def _check_text(text: str, path: str) -> None:
    """JSON may spell a lone surrogate ("\\ud800"), which no UTF-8 store or encoder accepts:
    a string that cannot round-trip is rejected here, not where it would be written."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise WireError(BAD_VALUE, f"{path}: not valid Unicode text (a lone surrogate)") from None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < MAX_INT  # a longer int does not even convert to a float
    return isinstance(value, float) and math.isfinite(value)


def _scalar(value: Any, hint: Any, path: str) -> Any:
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < MAX_INT
    elif hint is float:
        ok = _is_number(value)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
        if ok:
            _check_text(value, path)
    else:
        raise TypeError(f"{path}: unsupported field type {hint!r}")
    if not ok:
        raise WireError(WRONG_TYPE, f"{path}: expected {hint.__name__}, got {type(value).__name__}")
    return value
