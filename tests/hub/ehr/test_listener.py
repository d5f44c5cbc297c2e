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
from tests.support.siu import TRIGGERS, VERSIONS, EhrHub, Siu, ehr_settings, send


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
    offset = "+0000"
    mess = {
        "lf": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M1|P|2.5\nSCH||M1^E\nTQ1|1||||||{today}0915\n"
        "PID|1||X1^^^C^MR||Lf^Ann||19700101\nRGS|1\nAIP|1||D1\n",
        "crlf": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M2|P|2.5\r\nSCH||M2^E\r\nTQ1|1||||||{today}0915\r\n"
        "PID|1||X2||Crlf^Bo||19700101\r\nAIP|1||D1\r\n\r\n",
        # repetitions (alias name first, legal name second; SSN before MRN) and subcomponents
        "reps": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M3|P|2.5\rSCH||M3\rTQ1|1||||||{today}0915\r"
        "PID|1||999^^^S^SS~X3^^^C^MR||Alias^Al^^^^^A~van&der&Berg^Cy^^^^^L||19700101\rAIP|1||D1\r",
        # escape sequences: O&Brien with \\T\\, a separator in a name
        "escapes": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M4|P|2.5\rSCH||M4\rTQ1|1||||||{today}0915\r"
        "PID|1||X4||O\\T\\Brien^D\\S\\Ann||19700101\rAIP|1||D1\r",
        # times with offsets: the start in UTC, the birth date with a time and an offset
        "offsets": f"MSH|^~\\&|EHR|C|K|P|{today}080000{offset}||SIU^S12|M5|P|2.5\rSCH||M5\r"
        f"TQ1|1||||||{today}0915{offset}\r"
        "PID|1||X5||Tz^Eve||197001010000-0500\rAIP|1||D1\r",
        # Z-segments, several RGS groups (a room, a nurse unknown to the hub, then the provider)
        "groups": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M6|P|2.5\rSCH||M6\rTQ1|1||||||{today}0915\rZSC|x|y\r"
        "PID|1||X6||Group^Gil||19700101\rZPI|private\rRGS|1\rAIL|1||ROOM1\rRGS|2\rAIP|1||N99^Nurse\r"
        "RGS|3\rAIP|1||D2^Okafor^Ngozi\r",
        # explicit nulls, and a duration only in the AIS segment
        "nulls": f'MSH|^~\\&|EHR|C|K|P|""||SIU^S12|M7|P|2.4\rSCH|M7|""|||||||""|""|^^^{today}0915\r'
        'PID|1|""|X7||Null^Nia||19700101|""\rRGS|1\rAIS|1||VISIT||||45|min\rAIP|1||D1\r',
        # broken MSH-2: the escape character left out, then MSH-2 missing altogether
        "msh2_short": f"MSH|^~&|EHR|C|K|P|||SIU^S12|M8|P|2.5\rSCH||M8\rTQ1|1||||||{today}0915\r"
        "PID|1||X8||Short^Sam||19700101\rAIP|1||D1\r",
        "msh2_missing": f"MSH|EHR|C|K|P|||SIU^S12|M9|P|2.5\rSCH||M9\rTQ1|1||||||{today}0915\r"
        "PID|1||X9||Missing^Max||19700101\rAIP|1||D1\r",
        "msh2_truncation": f"MSH|^~\\&#|EHR|C|K|P|||SIU^S12|M10|P|2.7\rSCH||M10\rTQ1|1||||||{today}0915\r"
        "PID|1||X10||Trunc^Tia||19700101\rAIP|1||D1\r",
    }
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


def test_a_repeated_control_id_is_acknowledged_and_changes_nothing(site: EhrHub) -> None:
    start = _today(10)
    first = Siu("D1", start=start, appointment_id="R1")
    send(site.port, first)
    before = site.query("SELECT schedule_version FROM providers WHERE id = 'chen'")
    moved = Siu("D1", "S13", start=start + timedelta(hours=1), appointment_id="R1")  # same MSH-10
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
