"""A kiosk degrades by row, not by day: a schedule with one undecodable row applies the
others, counts the bad row, reports it in its health and keeps serving."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.errors import WireError
from sync import messages as m
from sync.inbound import InboundDecoder, Rejected
from sync.schedule_rows import SCHEDULE_ROW, decode_schedule, field_of
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.broker import Broker, publish_raw
from tests.support.clock import wall_now
from tests.support.site import RecordingKiosk, wait_for

TREE = TopicTree("acme", "main")


def _row(appt_id: str, day: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": appt_id,
        "provider_id": "chen",
        "start": f"{day}T09:30",
        "duration_min": 15,
        "first_name": "Ann",
        "last_prefix": "LEE",
        "dob": "1970-01-01",
        "code": "ABC234",
        "state": "booked",
    }
    row.update(changes)
    return row


def _schedule(day: str, rows: list[Any], version: int = 1, **envelope: Any) -> bytes:
    body: dict[str, Any] = {
        "kind": "schedule",
        "schema": "1.1",
        "provider_id": "chen",
        "provider_name": "Dr Chen",
        "date": day,
        "version": version,
        "appointments": rows,
    }
    body.update(envelope)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"dob": ""}, "dob"),
        ({"dob": "2026-02-30"}, "dob"),
        ({"duration_min": 0}, "duration_min"),
        ({"duration_min": "15"}, "duration_min"),
        ({"provider_id": "okafor"}, "provider_id"),
        ({"start": "2020-01-01T09:00"}, "start"),
        ({"code": ""}, "code"),
        ({"state": "no_show"}, "state"),
    ],
)
def test_a_bad_row_costs_that_row_and_names_its_field(bad: dict[str, Any], field: str) -> None:
    day = "2026-11-30"
    rows = [_row("A1", day), _row("A2", day, **bad), _row("A3", day)]
    decoded = decode_schedule(_schedule(day, rows))
    assert [a.id for a in decoded.schedule.appointments] == ["A1", "A3"]
    assert [(b.index, b.appointment_id, b.field) for b in decoded.bad] == [(1, "A2", field)]
    for value in bad.values():  # the reason names the field, never its value
        assert not value or str(value) not in decoded.bad[0].detail


def test_a_row_without_a_readable_id_is_left_out_without_one() -> None:
    day = "2026-11-30"
    decoded = decode_schedule(_schedule(day, [_row("A1", day), _row("bad id!", day), "not a row"]))
    assert [a.id for a in decoded.schedule.appointments] == ["A1"]
    assert [(b.appointment_id, b.reason) for b in decoded.bad] == [("", "bad_value"), ("", "wrong_type")]


@pytest.mark.parametrize(
    "envelope", [{"date": "2026-13-01"}, {"version": 0}, {"provider_name": ""}, {"appointments": "x"}]
)
def test_a_bad_envelope_is_still_the_whole_message(envelope: dict[str, Any]) -> None:
    with pytest.raises(WireError):
        decode_schedule(_schedule("2026-11-30", [_row("A1", "2026-11-30")], **envelope))


def test_a_sound_schedule_decodes_as_decode_does() -> None:
    day = "2026-11-30"
    sound = m.ProviderSchedule(
        "chen",
        "Dr Chen",
        day,
        3,
        [m.Appointment("A1", "chen", f"{day}T09:00", 15, "Ann", "LEE", "1970-01-01", "C1")],
    )
    decoded = decode_schedule(encode(sound))
    assert decoded.schedule == sound and decoded.bad == ()


def test_the_inbound_decoder_counts_left_out_rows() -> None:
    day = date(2026, 11, 30)
    decoder = InboundDecoder(TREE, today=lambda: day)
    msg, bad = decoder.decode_rows(
        TREE.schedule("chen"), _schedule(day.isoformat(), [_row("A1", "2026-11-30", dob="x")])
    )
    assert not isinstance(msg, Rejected) and len(bad) == 1
    assert decoder.left_out == {SCHEDULE_ROW: 1} and not decoder.rejected
    assert decoder.counts() == {SCHEDULE_ROW: 1}
    assert field_of("schedule.appointments[3].dob: expected str, got int") == "dob"


@pytest.fixture
def kiosk(broker: Broker, tmp_path: Path) -> Iterator[RecordingKiosk]:
    k = RecordingKiosk(broker.settings(), tmp_path).start()
    wait_for(lambda: k.sync.link.connected, what="connect")
    yield k
    k.stop()


def test_a_kiosk_shows_the_rest_of_the_day_and_reports_the_bad_row(
    broker: Broker, kiosk: RecordingKiosk
) -> None:
    day = wall_now().date().isoformat()
    rows = [_row("G1", day, code="G1"), _row("B1", day, first_name="", code="B1"), _row("G2", day, code="G2")]
    publish_raw(broker, TREE.schedule("chen"), _schedule(day, rows, version=4), retain=True)
    wait_for(lambda: kiosk.appointments() == 2, what="the good rows on the kiosk")
    held = kiosk.sync.call(lambda cache: sorted(a.id for a in cache.appointments_for("chen")))
    assert held == ["G1", "G2"]
    health = kiosk.sync.call(lambda _c: kiosk.sync.health())
    assert health.rejected == {SCHEDULE_ROW: 1}
    # and it keeps serving: the next version (the row corrected) replaces the day
    rows[1]["first_name"] = "Bo"
    publish_raw(broker, TREE.schedule("chen"), _schedule(day, rows, version=5), retain=True)
    wait_for(lambda: kiosk.appointments() == 3, what="the corrected row on the kiosk")


def test_an_appointment_moved_to_another_provider_never_costs_a_schedule(
    broker: Broker, kiosk: RecordingKiosk
) -> None:
    """The new provider's schedule (with the appointment) may arrive before the old one's
    (without it): the row moves, the new provider's day is applied."""
    day = wall_now().date().isoformat()
    okafor = [
        _row("M1", day, provider_id="okafor", code="M1"),
        _row("O1", day, provider_id="okafor", code="O1"),
    ]
    publish_raw(broker, TREE.schedule("okafor"), _schedule(day, okafor, provider_id="okafor"), retain=True)
    wait_for(lambda: kiosk.sync.call(lambda c: len(c.appointments_for("okafor"))) == 2, what="okafor's day")
    publish_raw(
        broker, TREE.schedule("chen"), _schedule(day, [_row("M1", day, code="M1")], version=2), retain=True
    )
    wait_for(lambda: kiosk.appointments() == 1, what="chen's day with the moved row")
    publish_raw(
        broker,
        TREE.schedule("okafor"),
        _schedule(day, okafor[1:], version=2, provider_id="okafor"),
        retain=True,
    )
    wait_for(
        lambda: kiosk.sync.call(lambda c: [a.id for a in c.appointments_for("okafor")]) == ["O1"],
        what="okafor's",
    )
    moved = kiosk.sync.call(lambda c: c.appointment("M1"))
    assert moved is not None and moved.provider_id == "chen"
    assert kiosk.sync.worker.health().errors == 0
