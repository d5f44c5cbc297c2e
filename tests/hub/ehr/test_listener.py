"""Real MLLP over loopback into a real hub (its SQLite file): every SIU trigger and version,
the real world's mess, refusals, repeats, messages out of order, and connections that
drop before the frame ends or before its ACK is read."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hl7.mllp import open_hl7_connection

from sync.wire import encode
from tests.support.clock import wall_now
from tests.support.site import wait_for
from tests.support.siu import (
    TRIGGERS,
    VERSIONS,
    EhrHub,
    Siu,
    ehr_settings,
    real_world_mess,
    send,
    send_frames,
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[EhrHub]:
    hub = EhrHub(ehr_settings(tmp_path))
    yield hub
    hub.stop()


def _today(hour: int = 11, minute: int = 0) -> datetime:
    return wall_now().replace(hour=hour, minute=minute, second=0, microsecond=0)


def _appointment(site: EhrHub, appointment_id: str) -> tuple[object, ...] | None:
    rows = site.query(
        "SELECT provider_id, start, duration_min, first_name, last_name, dob, state FROM appointments"
        " WHERE id = ?",
        appointment_id,
    )
    return rows[0] if rows else None


def _ehr_state(site: EhrHub, appointment_id: str) -> str:
    rows = site.query("SELECT state FROM ehr_appointments WHERE id = ?", appointment_id)
    return str(rows[0][0]) if rows else ""


def test_every_trigger_in_every_version_is_taken_with_its_effect(site: EhrHub) -> None:
    start = _today(11)
    sent = wall_now() - timedelta(hours=1)
    pairs = [(v, t) for v in VERSIONS for t in TRIGGERS[1:]]  # each after an S12 of its version
    booked = [
        Siu(f"B-{v}-{t}", "S12", v, appointment_id=f"A{n}", start=start, sent=sent)
        for n, (v, t) in enumerate(pairs)
    ]
    changes = [
        Siu(
            f"C-{v}-{t}",
            t,
            v,
            appointment_id=f"A{n}",
            start=start + timedelta(minutes=30),
            sent=sent + timedelta(minutes=1),
        )
        for n, (v, t) in enumerate(pairs)
    ]
    replies = send(site.port, *booked, *changes)
    assert [r.code for r in replies] == ["AA"] * len(replies)
    assert [r.control_id for r in replies] == [m.control_id for m in booked + changes]
    expected = {"S13": "booked", "S14": "booked", "S15": "cancelled", "S16": "cancelled", "S26": "cancelled"}
    for n, change in enumerate(changes):
        row = _appointment(site, f"A{n}")
        if change.trigger == "S17":
            assert row is None, f"{change.version}: a deleted appointment leaves the kiosks"
            assert _ehr_state(site, f"A{n}") == "deleted"
            continue
        assert row is not None, change.version
        assert row[0] == "chen"
        assert row[2] == 20
        assert row[3:6] == ("Mary", "Smith", "1980-01-01")
        assert row[6] == expected[change.trigger], (change.version, change.trigger)
        if change.trigger in ("S13", "S14"):
            assert row[1] == (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
        if change.trigger == "S26":
            assert _ehr_state(site, f"A{n}") == "no_show"


def test_the_real_world_mess_is_read(site: EhrHub) -> None:
    today = _today(9, 15).strftime("%Y%m%d")
    mess = real_world_mess(today)
    replies = send(site.port, *mess.values())
    assert [(r.code, r.text) for r in replies] == [("AA", "")] * len(mess)
    rows = {
        r[0]: r[1:]
        for r in site.query(
            "SELECT id, provider_id, start, duration_min, first_name, last_name, dob, mrn"
            " FROM ehr_appointments"
        )
    }
    start = f"{_today(9, 15):%Y-%m-%dT%H:%M}"
    assert rows["M1"][:6] == ("chen", start, 15, "Ann", "Lf", "1970-01-01")
    assert rows["M2"][3:5] == ("Bo", "Crlf")
    assert rows["M3"][3:7] == ("Cy", "van", "1970-01-01", "X3")
    assert rows["M4"][3:5] == ("D^Ann", "O&Brien")
    utc_start = datetime.strptime(f"{today}0915", "%Y%m%d%H%M").replace(tzinfo=__import__("datetime").UTC)
    assert rows["M5"][1] == utc_start.astimezone().strftime("%Y-%m-%dT%H:%M")
    assert rows["M5"][5] == "1970-01-01", "a birth date's offset never moves the day"
    assert rows["M6"][0] == "okafor"
    assert rows["M7"][2] == 45
    assert rows["M8"][3] == "Sam"
    assert rows["M9"][3] == "Max"
    assert rows["M10"][3] == "Tia"


def test_refusals_name_what_is_wrong_and_a_fixed_message_is_taken_on_resend(site: EhrHub) -> None:
    start = _today(10)
    replies = send(
        site.port,
        "MSH|^~\\&|EHR|C|K|P|||ADT^A01|R1|P|2.5\rPID|1||X||A^B\r",
        Siu("R2", version="2.1", start=start),
        Siu("R3", "S99", start=start),
        Siu("R4", provider="D404", start=start, appointment_id="U1"),
        Siu("R5", dob="", start=start, appointment_id="U2"),
        b"not hl7 at all",
    )
    codes = [(r.code, r.control_id) for r in replies]
    assert codes == [("AR", "R1"), ("AR", "R2"), ("AR", "R3"), ("AE", "R4"), ("AE", "R5"), ("AR", "")]
    assert "ADT^A01" in replies[0].text
    assert "unknown provider D404" in replies[3].text
    assert "PID-7" in replies[4].text
    assert "Mary" not in " ".join(r.text for r in replies)
    assert _appointment(site, "U1") is None
    # The site maps D404 (a settings change); the sender sends R4 again: now it is taken.
    site.ehr.intake.mapping["D404"] = "chen"
    assert send(site.port, Siu("R4", provider="D404", start=start, appointment_id="U1"))[0].code == "AA"
    assert _appointment(site, "U1") is not None
    counts = site.hub.call(lambda store: store.counters())
    assert counts["ehr_AR"] == 4 and counts["ehr_AE"] == 2 and counts["ehr_AA"] == 1


def test_an_msh_that_ends_at_msh10_is_answered(site: EhrHub) -> None:
    """No MSH-11/12 (some old senders): the ACK leaves them empty (python-hl7's
    create_ack raised here, and the stored message was never acknowledged)."""
    text = Siu("E1", start=_today(10), appointment_id="E1").text().replace("|E1|P|2.5\r", "|E1\r", 1)
    assert text.startswith("MSH|") and "|E1\r" in text
    assert [(r.code, r.control_id) for r in send(site.port, text)] == [("AA", "E1")]
    assert _appointment(site, "E1") is not None


def test_senders_taking_turns_share_commits_and_schedules(site: EhrHub) -> None:
    start = _today(8)
    shares = [
        [
            Siu(f"G{c}{i:02d}", appointment_id=f"G{c}{i:02d}", start=start + timedelta(minutes=i)).bytes()
            for i in range(40)
        ]
        for c in range(4)
    ]

    async def senders() -> list[list[str]]:
        replies = await asyncio.gather(*(send_frames(site.port, share) for share in shares))
        return [[r.code for r in rs] for rs in replies]

    assert asyncio.run(senders()) == [["AA"] * 40] * 4
    listener = site.ehr.listener
    assert listener.commits < 160 * 0.75, "four senders share most fsyncs"
    wait_for(lambda: not listener.schedules.pending, 60, "the schedules published")
    assert listener.schedules.published < listener.commits / 2, "one publish per pause, not per commit"
    assert site.query("SELECT count(*) FROM appointments WHERE id LIKE 'G%'") == [(160,)]


def test_a_lone_sender_beside_an_idle_connection_never_waits_for_a_group(site: EhrHub) -> None:
    frames = [Siu(f"L{i:02d}", appointment_id=f"L{i:02d}", start=_today(9, i)).bytes() for i in range(30)]

    async def beside_an_idle_one() -> list[str]:
        _reader, idle = await open_hl7_connection("127.0.0.1", site.port)  # open, never sends
        try:
            return [r.code for r in await send_frames(site.port, frames)]
        finally:
            idle.close()

    assert asyncio.run(beside_an_idle_one()) == ["AA"] * 30
    assert site.ehr.listener.commits == 30 and site.ehr.listener.delayed == 0


def test_a_repeated_control_id_is_acknowledged_and_changes_nothing(site: EhrHub) -> None:
    start = _today(10)
    first = Siu("D1", start=start, appointment_id="R1")
    send(site.port, first)
    before = site.query("SELECT schedule_version FROM providers WHERE id = 'chen'")
    moved = Siu("D1", "S12", start=start + timedelta(hours=1), appointment_id="R1")  # same MSH-10 and type
    assert send(site.port, first, moved)[1].code == "AA"
    assert _appointment(site, "R1")[1] == start.strftime("%Y-%m-%dT%H:%M")  # type: ignore[index]
    assert site.query("SELECT schedule_version FROM providers WHERE id = 'chen'") == before
    assert site.hub.call(lambda store: store.counters())["ehr_duplicate"] == 2


def test_messages_out_of_order_are_resolved_by_their_own_time(site: EhrHub) -> None:
    start, sent = _today(10), wall_now() - timedelta(minutes=30)
    later = Siu(
        "O2", "S13", start=start + timedelta(hours=2), appointment_id="O", sent=sent + timedelta(minutes=5)
    )
    earlier = Siu("O1", "S12", start=start, appointment_id="O", sent=sent)
    deleted = Siu("O4", "S17", start=start, appointment_id="P", sent=sent + timedelta(minutes=9))
    stale_modify = Siu("O3", "S14", start=start, appointment_id="P", sent=sent + timedelta(minutes=1))
    assert {r.code for r in send(site.port, later, earlier, deleted, stale_modify)} == {"AA"}
    assert _appointment(site, "O")[1] == (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")  # type: ignore[index]
    assert _appointment(site, "P") is None
    assert _ehr_state(site, "P") == "deleted"
    effects = dict(site.query("SELECT control_id, effect FROM ehr_messages"))
    assert effects == {"O1": "stale", "O2": "applied", "O3": "stale", "O4": "applied"}


async def _drop_mid_frame(port: int, frame: bytes) -> None:
    _reader, writer = await open_hl7_connection("127.0.0.1", port)
    writer.write(b"\x0b" + frame[: len(frame) // 2])
    await writer.drain()
    writer.close()


async def _drop_before_ack(port: int, frame: bytes) -> None:
    _reader, writer = await open_hl7_connection("127.0.0.1", port)
    writer.writeblock(frame)
    await writer.drain()
    writer.close()  # the ACK is never read
    await asyncio.sleep(0.3)


def test_a_connection_dropped_mid_frame_or_before_its_ack_loses_nothing(site: EhrHub) -> None:
    message = Siu("X1", start=_today(10), appointment_id="DROP")
    asyncio.run(_drop_mid_frame(site.port, message.bytes()))
    assert site.query("SELECT count(*) FROM ehr_messages") == [(0,)]
    assert send(site.port, message)[0].code == "AA"  # the sender sends it again
    other = Siu("X2", start=_today(10), appointment_id="LOST-ACK")
    asyncio.run(_drop_before_ack(site.port, other.bytes()))
    assert send(site.port, other)[0].code == "AA"  # its repeat, acknowledged
    assert site.query("SELECT count(*) FROM appointments WHERE id IN ('DROP', 'LOST-ACK')") == [(2,)]
    assert site.query("SELECT count(*) FROM ehr_messages") == [(2,)]


def test_kiosks_get_the_minimum_and_the_rest_stays_at_the_hub(site: EhrHub) -> None:
    send(
        site.port, Siu("P1", start=_today(10), appointment_id="PRIV", last_name="Castellanos", mrn="MRN-777")
    )
    schedule = site.hub.call(lambda store: store.wire_schedule("chen"))
    payload = encode(schedule).decode()
    assert '"last_prefix":"CAS"' in payload.replace(" ", "")
    for secret in ("Castellanos", "MRN-777", "555-0100"):
        assert secret not in payload
    kept = site.query("SELECT last_name, mrn FROM ehr_appointments WHERE id = 'PRIV'")
    assert kept == [("Castellanos", "MRN-777")]
    assert "555-0100" in site.query("SELECT raw FROM ehr_messages")[0][0]  # raw, unparsed, at the hub
    assert "555-0100" not in site.query("SELECT echo FROM ehr_appointments")[0][0]
