"""Check-in intake shared by two workers (an MQTT 5 shared subscription): every check-in
of real kiosks is recorded once, by one worker or the other, acknowledged, and shown as
checked in by the kiosks - the hub, which no longer takes check-ins itself, republishes
the schedules the pool changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hub.intake import CheckinIntake
from hub.sample import sample_morning
from hub.service import HubService
from tests.support.broker import Broker
from tests.support.clock import wall_today
from tests.support.site import RecordingKiosk, checkin, site_settings, wait_for


def test_two_intake_workers_share_the_check_ins_and_record_each_once(tmp_path: Path) -> None:
    broker = Broker(tmp_path / "broker")
    broker.start()
    settings = site_settings(broker.settings(), tmp_path, "hub-side")
    settings = replace(settings, hub=replace(settings.hub, intake="pool"))
    hub = HubService(settings)
    hub.start(sample_morning(wall_today()))
    db = hub.db_path
    workers = [CheckinIntake(broker.settings(), f"intake-{n}", "acme", {"main": db}) for n in (1, 2)]
    kiosks = [RecordingKiosk(broker.settings(), tmp_path, f"lobby-{n}") for n in (1, 2)]
    try:
        for worker in workers:
            worker.start()
        for kiosk in kiosks:
            kiosk.start()
        wait_for(lambda: all(k.appointments() == 27 for k in kiosks), what="the day at both kiosks")
        day = kiosks[0].sync.call(lambda c: c.appointments_for("martinez") + c.appointments_for("chen"))
        keys = []
        for i, appt in enumerate(day):
            kiosk = kiosks[i % 2]
            msg = checkin(appt, kiosk_id=kiosk.sync.kiosk_id)
            kiosk.sync.submit(msg)
            keys.append(msg.key)
        wait_for(lambda: all(k.outbox_depth() == 0 for k in kiosks), what="every check-in acknowledged")
        recorded = [r["key"] for r in hub.call(lambda s: s.checkins())]
        assert sorted(recorded) == sorted(keys)  # 0 lost, 0 doubled
        shares = [w.stats["checkins"] for w in workers]
        assert sum(shares) == len(keys) and all(shares), shares  # each worker took its share
        assert hub.stats["checkins"] == 0  # the hub itself took none

        def all_checked_in() -> bool:
            held = kiosks[1].sync.call(lambda c: c.appointments_for("martinez") + c.appointments_for("chen"))
            return all(a.state == "checked_in" for a in held)

        wait_for(all_checked_in, what="the kiosks to show every appointment checked in")
    finally:
        for kiosk in kiosks:
            kiosk.stop()
        for worker in workers:
            worker.stop()
        hub.stop()
        broker.stop()
