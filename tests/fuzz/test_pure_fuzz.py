"""Decoders without a broker: any bytes give a message or a named error, never a traceback,
and no error text carries a seeded patient value. Larger counts than over the broker."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.loader import load_settings
from core.errors import ConfigError, WireError
from devtools.fuzz_payloads import HOSTILE_RAW, HOSTILE_TEXT, SEEDED, TOPIC_CLASSES, hostile_payload
from hardware import ioproto as p
from hub.sample import sample_morning
from hub.schedule_io import load_plan, write_csv
from sync import messages as m
from sync.inbound import UNDECODABLE, InboundDecoder, Rejected
from sync.wire import REJECT_REASONS, decode_any, encode
from tests.fuzz.conftest import TREE
from tests.support.clock import wall_today

_FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _error_of(fn: Any, *args: Any) -> Exception | None:
    """The named error ``fn`` raised, or None; anything else propagates (and fails)."""
    try:
        fn(*args)
    except (WireError, ConfigError) as exc:
        return exc
    return None


def _no_seeded_value(text: str) -> None:
    lowered = text.lower()
    assert not [s for s in SEEDED if s.lower() in lowered], text


@pytest.mark.parametrize("cls", TOPIC_CLASSES, ids=[c.name for c in TOPIC_CLASSES])
def test_mqtt_payloads_decode_or_are_rejected_by_reason_without_values(cls: Any) -> None:
    decoder = InboundDecoder(TREE, today=date.today)
    rng, day = random.Random(cls.name), wall_today().isoformat()
    for _ in range(1000):
        verdict = decoder.decode(cls.topic(TREE), hostile_payload(cls, day, rng))
        if isinstance(verdict, Rejected):
            _no_seeded_value(verdict.detail)
    assert decoder.rejected[UNDECODABLE] == 0
    assert set(decoder.rejected) <= {*REJECT_REASONS, "empty", "wrong_day"}


@_FAST
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_raise_wire_error(data: bytes) -> None:
    error = _error_of(decode_any, data)
    assert error is None or getattr(error, "reason", "") in REJECT_REASONS


def test_duplicate_keys_nan_and_a_bom_are_rejected() -> None:
    good = encode(m.ProviderStatus("chen", 3, "late", 5))
    for payload, reason in [
        (good[:-1] + b',"version":9}', "duplicate_key"),
        (good.replace(b'"version":3', b'"version":NaN'), "not_json"),
        (b"\xef\xbb\xbf" + good, "not_json"),
    ]:
        with pytest.raises(WireError) as caught:
            decode_any(payload)
        assert caught.value.reason == reason


@pytest.mark.parametrize("version", [2**31, 2**53 - 1, 2**53, -1])
def test_versions_past_the_bound_are_rejected_not_applied(version: int) -> None:
    body = json.loads(encode(m.ProviderStatus("chen", 3, "late", 5)))
    body["version"] = version
    with pytest.raises(WireError):
        decode_any(json.dumps(body).encode())


def test_a_schedule_for_a_day_the_kiosk_does_not_serve_is_rejected() -> None:
    decoder = InboundDecoder(TREE, today=lambda: date(2026, 12, 1))
    for day, reason in [
        ("9999-12-31", "wrong_day"),
        ("2026-12-03", "wrong_day"),
        ("2026-02-30", "bad_value"),
    ]:
        appt = m.Appointment("a1", "chen", f"{day}T09:00", 15, "Zelda", "QUU", "1980-02-01", "QX7Z9K")
        body = json.loads(encode(m.ProviderSchedule("chen", "Dr Chen", "2026-12-01", 1, [])))
        body["date"] = day
        body["appointments"] = [json.loads(json.dumps(appt.__dict__))]
        verdict = decoder.decode(TREE.schedule("chen"), json.dumps(body).encode())
        assert isinstance(verdict, Rejected) and verdict.reason == reason, verdict
    ok = encode(m.ProviderSchedule("chen", "Dr Chen", "2026-11-30", 1, []))
    assert isinstance(decoder.decode(TREE.schedule("chen"), ok), m.ProviderSchedule)


def test_rejection_text_names_the_field_not_the_value() -> None:
    appt = m.Appointment("a1", "chen", "2026-12-01T09:00", 15, "Zelda", "QUU", "ZZPHIMARK-02/01/1980", "X1")
    with pytest.raises(WireError) as caught:
        decode_any(encode(m.ProviderSchedule("chen", "Dr Chen", "2026-12-01", 1, [appt])))
    assert "dob" in caught.value.detail and "ZZPHIMARK" not in str(caught.value)


# --- the serial frame decoder ---------------------------------------------------------


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(st.binary(max_size=80), max_size=12), st.booleans())
def test_the_frame_decoder_never_raises_and_accounts_for_every_byte(
    chunks: list[bytes], expire: bool
) -> None:
    good = p.encode_message(p.Presence(True, 80), 7)
    decoder = p.FrameDecoder()
    frames = [f for chunk in chunks for f in decoder.feed(chunk)]
    frames += decoder.feed(good)
    if expire:
        frames += decoder.expire()
    assert decoder.stats.frames == len(frames)
    total = sum(map(len, chunks)) + len(good)
    framed = sum(7 + len(f.payload) for f in frames)
    assert decoder.stats.noise_bytes + framed + decoder.pending == total
    for frame in frames:
        try:
            p.decode_message(frame)
        except WireError:
            pass  # counted by the board link as bad_payloads / unknown_types
    # After any garbage a good frame still decodes (here, or once the stale tail expires).
    if not any(f.payload == good[5:-2] and f.type == p.Presence.TYPE for f in frames):
        assert decoder.pending > 0


# --- schedule files -------------------------------------------------------------------


def _mutated_csv(tmp: Path, rng: random.Random) -> Path:
    plan = sample_morning(date(2026, 11, 30))
    write_csv(plan, tmp / "day.csv")
    lines = (tmp / "day.csv").read_text(encoding="utf-8").splitlines()
    row = rng.randrange(1, len(lines))
    cells = lines[row].split(",")
    cells[rng.randrange(len(cells))] = rng.choice([*HOSTILE_TEXT, *HOSTILE_RAW[:14]]).replace("\n", " ")
    lines[row] = ",".join(cells)
    if rng.random() < 0.2:
        lines[0] = "\ufeff" + lines[0]
    path = tmp / "bad.csv"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    return path


def test_schedule_csv_with_garbage_gives_a_config_error_naming_row_and_column(tmp_path: Path) -> None:
    rng = random.Random(11)
    for _ in range(150):
        path = _mutated_csv(tmp_path, rng)
        error = _error_of(load_plan, path)
        if error is not None:
            _no_seeded_value(str(error))
            assert isinstance(error, ConfigError) and ("row " in str(error) or "not UTF-8" in str(error)), (
                error
            )


@_FAST
@given(st.binary(max_size=400), st.sampled_from(["day.csv", "day.json"]))
def test_any_schedule_file_loads_or_gives_a_config_error(
    tmp_path_factory: Any, data: bytes, name: str
) -> None:
    path = tmp_path_factory.mktemp("sched") / name
    path.write_bytes(data)
    try:
        load_plan(path)
    except ConfigError:
        pass


def test_schedule_json_rejects_duplicate_keys_nan_and_impossible_dates(tmp_path: Path) -> None:
    appt = {
        "id": "a1",
        "provider_id": "chen",
        "start": "2026-11-30T09:00",
        "duration_min": 15,
        "first_name": "Zelda",
        "last_name": "Quuxworth",
        "dob": "1980-02-01",
        "code": "QX7Z9K",
    }
    cases = {
        '{"date":"2026-11-30","date":"2026-12-01","appointments":[]}': "twice",
        '{"date":"2026-11-30","appointments":[{"duration_min":NaN}]}': "NaN",
        json.dumps({"date": "9999-99-99", "appointments": [appt]}): "date",
        json.dumps({"appointments": [{**appt, "dob": "ZZPHIMARK-02/01/1980"}]}): "column dob",
        json.dumps({"appointments": [{**appt, "start": "2026-02-30T09:00"}]}): "column start",
        json.dumps({"appointments": ["Zelda"]}): "row 2",
    }
    for text, words in cases.items():
        (tmp_path / "day.json").write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=words) as caught:
            load_plan(tmp_path / "day.json")
        _no_seeded_value(str(caught.value))
    (tmp_path / "day.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"appointments": [appt]}).encode())
    assert load_plan(tmp_path / "day.json").date == "2026-11-30"  # a BOM is fine


# --- config files ---------------------------------------------------------------------

_TOML_LINES = st.sampled_from(
    [
        "[broker]",
        "[kiosk]",
        "[hub]",
        "port = 1883",
        "port = " + "9" * 5000,
        "port = nan",
        "keepalive_s = inf",
        "id = 'lobby-1'",
        "id = 'a/b'",
        'id = "\\ud800"',
        "practice = 7",
        "a = " + "[" * 3000 + "]" * 3000,
        "host = { a = 1 }",
        "port = 1979-02-30",
        "port = 25:61:00",
        "port = 1\nport = 2",
        "\ufeff",
        "\x00",
        "password = 5",
        "log_level = 'LOUD'",
    ]
)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOML_LINES | st.text(max_size=30), max_size=8))
def test_any_config_file_loads_or_gives_a_config_error(tmp_path_factory: Any, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("cfg") / "kiosk.toml"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    error = _error_of(load_settings, path, {})
    assert error is None or str(path) in str(error)
