"""An SIU change reaches a kiosk's cache through the real broker, carrying only what a
kiosk may hold."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sync import messages as m
from tests.support.broker import Broker
from tests.support.clock import wall_now
from tests.support.site import RecordingKiosk, wait_for
from tests.support.siu import EhrHub, Siu, ehr_settings, send, send_frames


def test_book_move_cancel_and_delete_reach_the_kiosk(tmp_path: Path) -> None:
    # One plain broker: the TLS transport is the sync tests' (the `broker` fixture runs both).
    broker = Broker(tmp_path / "broker")
    broker.start()
    site = EhrHub(ehr_settings(tmp_path, broker=broker.settings()))
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        start = wall_now().replace(second=0, microsecond=0) + timedelta(minutes=30)
        sent = wall_now() - timedelta(minutes=5)

        def held() -> m.Appointment | None:
            return kiosk.sync.call(lambda cache: cache.appointment("K1"))

        book = Siu("S1", start=start, appointment_id="K1", last_name="Okonkwo", mrn="MRN-9", sent=sent)
        assert send(site.port, book)[0].code == "AA"
        wait_for(held, 60, "the booking on the kiosk")
        appt = held()
        assert appt is not None
        assert (appt.first_name, appt.last_prefix, appt.dob, appt.provider_id) == (
            "Mary",
            "OKO",
            "1980-01-01",
            "chen",
        )
        assert appt.code and appt.state == "booked"
        later = start + timedelta(minutes=45)
        send(site.port, Siu("S2", "S13", start=later, appointment_id="K1", sent=sent + timedelta(minutes=1)))
        wait_for(
            lambda: (a := held()) is not None and a.start == later.strftime("%Y-%m-%dT%H:%M"), 10, "moved"
        )
        send(site.port, Siu("S3", "S15", start=later, appointment_id="K1", sent=sent + timedelta(minutes=2)))
        wait_for(lambda: (a := held()) is not None and a.state == "cancelled", 60, "cancelled on the kiosk")
        send(site.port, Siu("S4", "S17", start=later, appointment_id="K1", sent=sent + timedelta(minutes=3)))
        wait_for(lambda: held() is None, 60, "deleted from the kiosk")
        columns = kiosk.sync.call(
            lambda cache: [r[1] for r in cache.db.execute("PRAGMA table_info(appointments)")]
        )
        assert "last_name" not in columns and "mrn" not in columns
    finally:
        kiosk.stop()
        site.stop()
        broker.stop()


def test_a_burst_on_four_connections_ends_with_the_whole_day_on_the_kiosk(tmp_path: Path) -> None:
    """Schedules go out when the traffic pauses (and during a burst at least every
    MAX_DELAY_S): the last one published holds every booking."""
    broker = Broker(tmp_path / "broker")
    broker.start()
    site = EhrHub(ehr_settings(tmp_path, broker=broker.settings()))
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        start = wall_now().replace(second=0, microsecond=0) + timedelta(minutes=30)
        shares = [
            [
                Siu(
                    f"B{c}{i}",
                    appointment_id=f"B{c}{i}",
                    start=start + timedelta(minutes=i),
                    provider=f"D{1 + c % 2}",
                ).bytes()
                for i in range(25)
            ]
            for c in range(4)
        ]

        async def burst() -> list[str]:
            replies = await asyncio.gather(*(send_frames(site.port, share) for share in shares))
            return [r.code for rs in replies for r in rs]

        assert asyncio.run(burst()) == ["AA"] * 100

        def held() -> int:
            return int(
                kiosk.sync.call(
                    lambda cache: len(cache.appointments_for("chen") + cache.appointments_for("okafor"))
                )
            )

        wait_for(lambda: held() == 100, 60, "the whole burst on the kiosk")
    finally:
        kiosk.stop()
        site.stop()
        broker.stop()
