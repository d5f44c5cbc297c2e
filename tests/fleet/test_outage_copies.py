"""A site's uplink cut under check-in load, with real kiosks (``KioskSync``), real site
and central brokers and a central hub: while the cut lasts the kiosks tell every patient
"checked in" and keep each row, but send nothing again (their site broker has the copy,
queued for the bridge, and says the bridge is down); after it each check-in has crossed
the uplink once, and is recorded once."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from config.settings import BrokerSettings
from devtools.fleet import PASSWORD, FleetNet, exactly_once, wait_until
from devtools.fleet_outage import CopyCounter
from hub.sample import sample_morning
from hub.service import HubService
from sync.kiosk_sync import KioskSync
from sync.outbox import OutboxDepth
from tests.support.clock import wall_today
from tests.support.site import checkin, site_settings

ACK_TIMEOUT_S = 0.5  # short, so that a short cut outlasts several resends that must not come


def _depths(kiosk: KioskSync) -> OutboxDepth:
    return kiosk.call(lambda _cache: kiosk.outbox.depths())


def test_a_cut_uplink_costs_no_copies(tmp_path: Path) -> None:
    net = FleetNet(tmp_path, ["north"], 2, cuttable=("north",), local_site={"north": "main"})
    net.start()
    hub = HubService(net.hub_settings("north"))
    kiosks: list[KioskSync] = []
    counter: CopyCounter | None = None
    try:
        hub.start(sample_morning(wall_today()))
        for kiosk_id in net.kiosk_ids["north"]:
            login = BrokerSettings(
                host="localhost", port=net.ports["north"].broker, username=kiosk_id,
                password=PASSWORD, ca_file=net.ca_file, reconnect_min_s=0.1, reconnect_max_s=0.5,
            )  # fmt: skip
            settings = site_settings(login, tmp_path / kiosk_id, kiosk_id)
            kiosk_settings = dataclasses.replace(settings.kiosk, ack_timeout_s=ACK_TIMEOUT_S)
            kiosks.append(KioskSync(dataclasses.replace(settings, kiosk=kiosk_settings)))
            kiosks[-1].start()
        wait_until(
            lambda: all(k.is_live() and k.call(lambda c: c.providers()) for k in kiosks), 60, "the day"
        )
        counter = CopyCounter(net)
        appointments = kiosks[0].call(lambda c: [a for p in c.providers() for a in c.appointments_for(p.id)])

        net.cut_uplink("north")
        wait_until(lambda: all(k.sender.policy.path_down for k in kiosks), 30, "the kiosks to hear the cut")
        keys = []
        for i, appt in enumerate(appointments[:20]):
            kiosk = kiosks[i % 2]
            msg = checkin(appt, kiosk_id=kiosk.kiosk_id)
            assert kiosk.submit(msg)  # committed: the patient is told "checked in"
            keys.append(msg.key)
        wait_until(
            lambda: sum(_depths(k).sent for k in kiosks) == 20,
            30,
            "the site broker to accept each check-in",
        )
        # Nothing may happen while the cut lasts: without the bridge's word each row would go
        # again after 1, 3 and 7 ack timeouts (the resend back-off doubles).
        time.sleep(8 * ACK_TIMEOUT_S)
        assert sum(_depths(k).unacknowledged for k in kiosks) == 20  # each row kept
        assert sum(k._stats["outbox_resent"] for k in kiosks) == 0

        net.restore_uplink("north")
        wait_until(lambda: all(_depths(k).unacknowledged == 0 for k in kiosks), 60, "the acks")
        wait_until(lambda: set(keys) <= set(counter.copies), 30, "every copy counted at the centre")
        assert [counter.copies[k] for k in keys] == [1] * 20  # each crossed the uplink once
        assert exactly_once(keys, net.recorded_keys()) == (0, 0, 0)
    finally:
        if counter is not None:
            counter.close()
        for k in kiosks:
            k.stop()
        hub.stop()
        net.stop()
