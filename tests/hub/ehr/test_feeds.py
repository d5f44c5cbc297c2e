"""Real practice-system feeds never blank a provider's day: through the real MLLP listener,
a real broker and a kiosk's own decoding."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.clock import wall_now
from tests.support.site import wait_for
from tests.support.siu import Siu
from tests.support.siu_feed import FeedSite, adt_reusing


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[FeedSite]:
    site = FeedSite(tmp_path)
    yield site
    site.stop()


def _start(hour: int) -> str:
    return wall_now().replace(hour=hour, minute=0).strftime("%Y%m%d%H%M")


def _bare(control_id: str, trigger: str, appointment_id: str, sent: str, start: str = "") -> str:
    """A cancel / no-show / delete as some vendors send it: SCH and resources, no PID."""
    timing = f"^^^{start}" if start else ""
    return (
        f"MSH|^~\\&|EHR|CLINIC|KIOSK|PRACTICE|{sent}||SIU^{trigger}^SIU_S12|{control_id}|P|2.3\r"
        f"SCH|P-{appointment_id}|{appointment_id}|||||||20|min|{timing}\rRGS|1\rAIP|1||D1^Chen^Wei\r"
    )


def test_a_bare_cancel_for_an_unknown_appointment_never_blanks_the_day(feed: FeedSite) -> None:
    start = wall_now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    sent = wall_now() - timedelta(minutes=30)
    booked = [
        Siu(f"K{i}", start=start + timedelta(minutes=10 * i), appointment_id=f"K{i}", sent=sent)
        for i in range(3)
    ]
    assert feed.send(*(b.bytes() for b in booked)) == ["AA"] * 3
    stamp = (sent + timedelta(minutes=10)).strftime("%Y%m%d%H%M%S")
    orphans = [
        _bare("X1", "S15", "ORPH1", stamp, start.strftime("%Y%m%d%H%M")),
        _bare("X2", "S26", "ORPH2", stamp, start.strftime("%Y%m%d%H%M")),
        _bare("X3", "S17", "ORPH3", stamp),
        _bare("X4", "S15", "ORPH4", stamp),  # no start either
        _bare("X5", "S14", "ORPH5", stamp, start.strftime("%Y%m%d%H%M")),  # a modification
    ]
    assert feed.send(*orphans) == ["AA"] * 5  # recorded: the practice system is right to send them
    later = Siu(
        "K9", start=start + timedelta(minutes=40), appointment_id="K9", sent=sent + timedelta(minutes=20)
    )
    assert feed.send(later.bytes()) == ["AA"]  # and the day goes on updating
    feed.settle()
    assert feed.kiosk_rows() == {"K0", "K1", "K2", "K9"}
    assert feed.problems() == []
    states = dict(feed.site.query("SELECT id, state FROM ehr_appointments WHERE id LIKE 'ORPH%'"))
    assert states == {
        "ORPH1": "cancelled",
        "ORPH2": "no_show",
        "ORPH3": "deleted",
        "ORPH4": "cancelled",
        "ORPH5": "booked",
    }
    assert feed.site.hub.call(lambda s: s.counters())["ehr_orphan"] == 5

    # The bookings arrive late (older MSH-7): applied in MSH-7 order, the patient known at last.
    late = [
        Siu(f"L{i}", start=start, appointment_id=f"ORPH{i}", sent=sent, first_name=f"Late{i}")
        for i in (1, 2, 3, 4)
    ]
    assert feed.send(*(b.bytes() for b in late)) == ["AA"] * 4
    feed.settle()
    assert feed.kiosk_rows() == {"K0", "K1", "K2", "K9", "ORPH1", "ORPH2", "ORPH4"}  # ORPH3 stays deleted
    shown = feed.kiosk.sync.call(
        lambda c: {i: (a.state, a.first_name) for i in ("ORPH1", "ORPH2", "ORPH4") if (a := c.appointment(i))}
    )
    assert shown == {
        "ORPH1": ("cancelled", "Late1"),
        "ORPH2": ("cancelled", "Late2"),
        "ORPH4": ("cancelled", "Late4"),
    }
    assert feed.problems() == []


def test_a_row_a_kiosk_would_refuse_is_held_back_counted_and_escalated(feed: FeedSite) -> None:
    start = wall_now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    assert feed.send(Siu("G1", start=start, appointment_id="G1").bytes()) == ["AA"]
    feed.settle()

    def corrupt(store: object) -> None:  # what no mapping should ever store: the last line holds
        db = store.db  # type: ignore[attr-defined]
        db.execute("UPDATE appointments SET dob = '1970-02-30' WHERE id = 'G1'")

    feed.site.hub.call(corrupt)
    assert feed.send(Siu("G2", start=start + timedelta(minutes=20), appointment_id="G2").bytes()) == ["AA"]
    wait_for(lambda: "G2" in feed.kiosk_rows(), 20, "the new booking on the kiosk")
    assert feed.kiosk_rows() == {"G2"}  # G1 held back, the rest of the day goes out
    assert feed.kiosk.sync.call(lambda _c: feed.kiosk.sync.health()).rejected == {}

    def escalation() -> list[tuple[str, str, str]]:
        return feed.site.query("SELECT id, about, detail FROM escalations WHERE open = 1")

    wait_for(escalation, 20, "the escalation")
    [(esc_id, about, detail)] = escalation()
    assert (esc_id, about) == ("held-schedule-G1-dob", "feed")
    assert "G1" in detail and "dob" in detail and "1970-02-30" not in detail
    counts = {
        r["reason"]: r["count"]
        for r in feed.site.hub.call(lambda s: s.rejections())
        if r["source"] == "hub-publish"
    }
    assert counts["schedule.dob"] >= 1


def test_an_adt_reusing_an_accepted_control_id_is_refused_and_the_siu_stays_a_repeat(feed: FeedSite) -> None:
    booking = Siu("R1", start=wall_now().replace(minute=0) + timedelta(hours=1), appointment_id="R1")
    assert feed.send(booking.bytes(), adt_reusing("R1"), booking.bytes(), adt_reusing("R1")) == [
        "AA",
        "AR",
        "AA",
        "AR",
    ]
    counters = feed.site.hub.call(lambda s: s.counters())
    assert counters["ehr_duplicate"] == 1 and counters["ehr_AR"] == 2
    kinds = feed.site.query("SELECT type, outcome FROM ehr_messages WHERE control_id = 'R1' ORDER BY type")
    assert kinds == [("ADT^A60", "AR"), ("SIU^S12", "AA")]


def test_a_stray_byte_before_frames_is_logged_once_per_connection(
    feed: FeedSite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hub.ehr.listener")
    frames = [
        Siu(f"F{i}", start=wall_now().replace(minute=0) + timedelta(hours=1), appointment_id=f"F{i}").bytes()
        for i in range(3)
    ]
    with socket.create_connection(("127.0.0.1", feed.port), timeout=10) as sock:
        reader = sock.makefile("rb")
        for frame in frames:
            sock.sendall(b"\n\x00" + b"\x0b" + frame + b"\x1c\r")  # a stray byte pair before each frame
            ack = b""
            while not ack.endswith(b"\x1c\r"):
                ack += reader.read(1)
            assert b"MSA|AA|" in ack
        sock.sendall(b"junk without a start block\x1c\r")
        reader.close()  # the file holds the socket open too
    wait_for(
        lambda: any("framing problems on one connection" in r.getMessage() for r in caplog.records),
        10,
        "the count at close",
    )
    once = [r for r in caplog.records if "outside a frame" in r.getMessage()]
    closing = [r for r in caplog.records if "framing problems on one connection" in r.getMessage()]
    assert len(once) == 1 and len(closing) == 1 and closing[0].count == 4  # type: ignore[attr-defined]
    assert feed.site.ehr.listener.framing_problems == 4
