"""Hostile payloads per topic class, from a ``random.Random``: the fuzz tests' vocabulary.

The tests drive it with hypothesis (``st.randoms()``, so failures shrink and replay); the
bench and the soak drive it with a seeded ``random.Random`` for 10^5 payloads a class.
Each payload starts from a valid message of its class and breaks it the ways issue 11
lists: lone surrogates, NaN/Infinity, huge integers, deep nesting, duplicate keys, BOMs,
wrong types, dates and times that do not exist, versions past the sane bound, and
patient-looking values in every field (which must never reach a log line).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sync import messages as m
from sync import staff_messages as sm
from sync.topics import TopicTree
from sync.wire import Message, encode

FUZZ_KIOSK = "lobby-9"  # the kiosk id hostile hub-bound payloads claim

# Seeded patient data: a test fails if any of these shows in a log line.
SEEDED_NAMES = ("Zelda Quuxworth", "Ximena Plonk", "ZZPHIMARK")
SEEDED_DOBS = ("1980-02-01", "02/01/1980", "ZZPHIMARK-02/01/1980")
SEEDED_CODES = ("QX7Z9K", "ZQ4PLW")
SEEDED = (*SEEDED_NAMES, *SEEDED_DOBS, *SEEDED_CODES)


class Raw(str):
    """JSON text put into a payload as is (a token no serializer would write)."""


_DEEP = 60
HOSTILE_RAW: tuple[str, ...] = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-0",
    "9" * 400,
    "9" * 5000,
    str(2**53),
    str(2**53 - 1),
    str(2**31),
    str(2**64),
    "-1",
    "0.5",
    "true",
    "null",
    "[]",
    "{}",
    '"\\ud800"',
    '"\\udfff\\ud800"',
    "[" * _DEEP + "]" * _DEEP,
    "[" * 3000 + "]" * 3000,
    '{"a":' * _DEEP + "1" + "}" * _DEEP,
)
HOSTILE_TEXT: tuple[str, ...] = (
    *SEEDED,
    "",
    " ",
    "x" * 300,
    "9999-99-99",
    "9999-12-31",
    "2031-06-15",
    "2031-06-15T09:00",
    "2026-02-30",
    "2026-13-01",
    "2026-11-30T25:61",
    "2026-02-30T09:00",
    "25:61",
    "24:00",
    "\x00",
    "\ufeff",
    "a/b",
    "+",
    "#",
    "../../etc/passwd",
    "\u202e",
)

# (class name, topic maker, base message maker): one per topic class of issue 11.
TopicOf = Callable[[TopicTree], str]
MakeBase = Callable[[str], Message]


def _appt(day: str, provider: str = "chen") -> m.Appointment:
    return m.Appointment("a-fuzz-1", provider, f"{day}T09:00", 15, "Zelda", "QUU", "1980-02-01", "QX7Z9K")


def _key() -> str:
    return "fuzz-key-0001"


@dataclass(frozen=True)
class TopicClass:
    name: str
    topic: TopicOf
    base: MakeBase
    side: str  # "kiosk" or "hub": who subscribes to it


TOPIC_CLASSES: tuple[TopicClass, ...] = (
    TopicClass(
        "status", lambda t: t.status("chen"), lambda d: m.ProviderStatus("chen", 1, "late", 5), "kiosk"
    ),
    TopicClass(
        "schedule",
        lambda t: t.schedule("chen"),
        lambda d: m.ProviderSchedule("chen", "Dr Chen", d, 1, [_appt(d)]),
        "kiosk",
    ),
    TopicClass(
        "appointment",
        lambda t: t.appointment("chen"),
        lambda d: m.AppointmentChange("chen", d, 1, _appt(d)),
        "kiosk",
    ),
    TopicClass(
        "availability",
        lambda t: t.availability(FUZZ_KIOSK),
        lambda d: m.KioskAvailability(FUZZ_KIOSK, True, "1.0", f"{d}T08:00", m.CacheSummary(d, {"chen": 1})),
        "hub",
    ),
    TopicClass(
        "display",
        lambda t: t.display(FUZZ_KIOSK),
        lambda d: m.DisplayAck(FUZZ_KIOSK, {"chen": 1}, f"{d}T08:00"),
        "hub",
    ),
    TopicClass(
        "health",
        lambda t: t.health(FUZZ_KIOSK),
        lambda d: m.KioskHealth(FUZZ_KIOSK, f"{d}T08:00", True, 1.5, 0, "1.0", {"not_json": 1}),
        "hub",
    ),
    TopicClass(
        "checkin",
        lambda t: t.checkin(FUZZ_KIOSK),
        lambda d: m.CheckIn(_key(), FUZZ_KIOSK, "a-fuzz-1", "chen", f"{d}T08:55", "dob"),
        "hub",
    ),
    TopicClass(
        "request",
        lambda t: t.request(FUZZ_KIOSK),
        lambda d: m.StatusChangeRequest(_key(), FUZZ_KIOSK, "chen", "late", "desk-1", f"{d}T08:00", 10),
        "hub",
    ),
    TopicClass(
        "event",
        lambda t: t.kiosk(FUZZ_KIOSK, "event"),
        lambda d: sm.StaffEvent(_key(), FUZZ_KIOSK, f"{d}T08:00", "login", "ana", "supervisor"),
        "hub",
    ),
    TopicClass(
        "ack",
        lambda t: t.kiosk(FUZZ_KIOSK, "ack"),
        lambda d: sm.NoticeAck(_key(), FUZZ_KIOSK, "n-1", "ana", f"{d}T08:00"),
        "hub",
    ),
)
CLASSES_BY_NAME = {c.name: c for c in TOPIC_CLASSES}


def dump(value: Any) -> str:
    """JSON text of ``value``; ``Raw`` items go in verbatim, lone surrogates as escapes."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dump(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    return json.dumps(value)


def _hostile_value(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(HOSTILE_TEXT)
    if roll < 0.9:
        return Raw(rng.choice(HOSTILE_RAW))
    return rng.choice([[], {}, [rng.choice(SEEDED)], {rng.choice(SEEDED): 1}, True, 0, None])


def _targets(body: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Every (object, key) a mutation may replace, nested appointments included."""
    found = [(body, k) for k in body]
    for value in list(body.values()):
        if isinstance(value, dict):
            found += [(value, k) for k in value]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            found += [(value[0], k) for k in value[0]]
    return found


def _mutate_fields(body: dict[str, Any], rng: random.Random) -> str:
    targets = _targets(body)
    for _ in range(rng.randint(1, 3)):
        obj, key = rng.choice(targets)
        if rng.random() < 0.15:
            obj.pop(key, None)
        else:
            obj[key] = _hostile_value(rng)
    return dump(body)


def _duplicate_key(body: dict[str, Any], rng: random.Random) -> str:
    key = rng.choice(list(body))
    return dump(body)[:-1] + "," + json.dumps(key) + ":" + dump(_hostile_value(rng)) + "}"


def _structural(text: str, rng: random.Random) -> str:
    choice = rng.randrange(5)
    if choice == 0:
        return "\ufeff" + text
    if choice == 1:
        return text[: rng.randrange(len(text))]
    if choice == 2:
        return text + rng.choice(["}", ",", " x", "\x00", "{}"])
    if choice == 3:
        return "[" + text + "]"
    return text.replace('"', "'", 1)


def hostile_payload(cls: TopicClass, day: str, rng: random.Random) -> bytes:
    """One payload for ``cls``: its valid message for ``day``, broken one way or several."""
    body: dict[str, Any] = json.loads(encode(cls.base(day)))
    roll = rng.random()
    if roll < 0.06:
        return rng.randbytes(rng.randrange(1, 200))
    if roll < 0.16:
        return _duplicate_key(body, rng).encode("utf-8", "surrogatepass")
    if roll < 0.3:
        return _structural(dump(body), rng).encode("utf-8", "surrogatepass")
    if roll < 0.36:
        body[rng.choice(["kind", "schema"])] = _hostile_value(rng)
        return dump(body).encode("utf-8", "surrogatepass")
    return _mutate_fields(body, rng).encode("utf-8", "surrogatepass")
