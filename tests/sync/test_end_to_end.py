"""The spine against a real mosquitto: a hub, kiosks, outages and restarts."""

from __future__ import annotations

import time
from pathlib import Path

from hub.store import HubStore
from tests.support.broker import Broker
from tests.support.site import RecordingKiosk, checkin, start_hub, status_request, wait_for


def test_schedule_and_status_reach_a_kiosk_and_the_hub_knows_what_it_displays(
    broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="the sample schedule in the kiosk cache")
        result = hub.set_status(status_request("martinez", "out"))
        assert result.accepted and result.status_version == 1
        wait_for(lambda: (s := kiosk.status("martinez")) is not None and s.state == "out", what="status out")
        assert any(c.kind == "status" and c.provider_id == "martinez" for c in kiosk.changes)
        wait_for(
            lambda: hub.call(lambda store: store.kiosks())[0]["display"].get("martinez") == 1,
            what="the hub to learn the kiosk displays version 1",
        )
        kiosks = hub.call(lambda store: store.kiosks())
        assert kiosks[0]["id"] == "lobby-1" and kiosks[0]["online"] == 1
    finally:
        kiosk.stop()
        hub.stop()
    # A graceful stop leaves the kiosk recorded offline (retained availability).


def test_a_checkin_is_recorded_once_and_marks_the_appointment_on_every_kiosk(
    broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    a = RecordingKiosk(broker.settings(), tmp_path, "lobby-1").start()
    b = RecordingKiosk(broker.settings(), tmp_path, "lobby-2").start()
    try:
        wait_for(lambda: a.appointments() == 27 and b.appointments() == 27, what="schedules")
        appt = a.sync.call(lambda cache: cache.appointments_for("chen")[0])
        msg = checkin(appt)
        assert a.sync.submit(msg) is True
        assert a.sync.submit(msg) is False  # the same key again is not queued twice
        wait_for(lambda: hub.call(lambda s: s.checkin_count()) == 1, what="the hub to record the check-in")
        wait_for(
            lambda: (
                (seen := b.sync.call(lambda c: c.appointment(appt.id))) is not None
                and seen.state == "checked_in"
            ),
            what="kiosk b to know",
        )
        wait_for(lambda: a.outbox_depth() == 0, what="the outbox to empty on the hub's acknowledgement")
    finally:
        a.stop()
        b.stop()
        hub.stop()


def test_broker_outage_checkins_arrive_exactly_once(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="schedule")
        appts = kiosk.sync.call(lambda cache: cache.appointments_for("martinez"))
        broker.stop()
        wait_for(lambda: not kiosk.sync.link.connected, what="the kiosk to notice the outage")
        for appt in appts:
            assert kiosk.sync.submit(checkin(appt))
        assert kiosk.outbox_depth() == len(appts)
        broker.start()
        wait_for(
            lambda: hub.call(lambda s: s.checkin_count()) == len(appts), timeout=30, what="all check-ins"
        )
        wait_for(lambda: kiosk.outbox_depth() == 0, what="outbox empty")
        assert hub.call(lambda s: s.checkin_count()) == len(appts)
    finally:
        kiosk.stop()
        hub.stop()


def test_a_kiosk_restarted_without_a_broker_serves_from_its_cache(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    wait_for(lambda: kiosk.appointments() == 27, what="schedule")
    hub.set_status(status_request("chen", "late", 20))
    wait_for(lambda: (s := kiosk.status("chen")) is not None and s.delay_min == 20, what="late 20")
    kiosk.stop()
    hub.stop()
    broker.stop()

    again = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        assert not again.sync.link.connected
        assert again.appointments() == 27
        status = again.status("chen")
        assert status is not None and status.state == "late" and status.delay_min == 20
        age = again.sync.call(lambda _c: again.sync.cache_age_s())
        assert age >= 0  # known, and shown to the patient as "last updated N minutes ago"
    finally:
        again.stop()


def test_hub_restart_loses_nothing(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    wait_for(lambda: kiosk.appointments() == 27, what="schedule")
    hub.set_status(status_request("okafor", "late", 15))
    hub.stop()
    appt = kiosk.sync.call(lambda cache: cache.appointments_for("chen")[1])
    kiosk.sync.submit(checkin(appt))  # reaches the broker, queued in the hub's persistent session
    wait_for(lambda: kiosk.outbox_depths().sent == 1, what="PUBACK from the broker")
    time.sleep(2 * kiosk.sync.settings.kiosk.ack_timeout_s)  # no hub: no acknowledgement, no resend
    assert kiosk.outbox_depths().sent == 1 and kiosk.outbox_depth() == 1
    assert kiosk.sync.call(lambda _c: kiosk.sync.health()).metrics.get("outbox_resent", 0) == 0
    hub2 = start_hub(broker.settings(), tmp_path, sample=False)
    try:
        wait_for(lambda: hub2.call(lambda s: s.checkin_count()) == 1, what="the queued check-in")
        wait_for(lambda: kiosk.outbox_depth() == 0, what="the hub's acknowledgement")
        status = hub2.call(lambda s: s.status("okafor"))
        assert status.delay_min == 15 and status.version == 1
    finally:
        kiosk.stop()
        hub2.stop()
    store = HubStore.open(tmp_path / "hub" / "hub.sqlite")
    assert store.checkin_count() == 1
    store.close()
