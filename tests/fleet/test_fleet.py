"""A practice group on loopback: a central mosquitto and two site mosquittos, each started
from the files `kiosk hub fleet-config` writes, the sites bridged to the centre (one of
them calling itself "main" at home: its prefix is remapped), the two site hubs running
centrally, and simulated kiosks speaking the protocol at each site.

The stories: the day and statuses flow out to the kiosks and check-ins in to the hubs;
a site's uplink is cut while its kiosks check in and its hub changes statuses, and after
it is back nothing is lost or doubled, every kiosk shows the newest status and the
escalation opened for the unreachable kiosks is resolved; the central broker restarts and
a site's broker is SIGKILLed, with the same outcome."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from config.settings import StaffSettings
from core.clock import SystemClock
from devtools.fleet import FleetNet, exactly_once, wait_until
from devtools.fleet_sim import Spec
from devtools.fleet_swarm import Swarm
from hub.sample import sample_morning
from hub.service import HubService
from tests.support.site import status_request

SITES = ["north", "south"]
KIOSKS = 3


@dataclass
class Group:
    net: FleetNet
    hubs: dict[str, HubService]
    swarm: Swarm

    def committed(self) -> list[str]:
        report = self.swarm.ask("report")
        return [key for keys in report["committed"].values() for key in keys]

    def settled(self) -> bool:
        return bool(self.swarm.ask("owed")["owed"] == 0)

    def newest(self, site: str) -> dict[str, int]:
        def versions(store: Any) -> dict[str, int]:
            held = {p: store.status(p) for p in store.provider_ids()}
            return {p: s.version for p, s in held.items() if s is not None}

        return dict(self.hubs[site].call(versions))

    def converged(self) -> bool:
        shown = self.swarm.ask("shown")["statuses"]
        return all(shown[k] == self.newest(s) for s in SITES for k in self.net.kiosk_ids[s])

    def escalations(self, site: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.hubs[site].call(lambda s: s.staff.escalations(only_open=False))
        return rows

    def assert_exactly_once(self) -> None:
        wait_until(self.settled, 30, "every kiosk's outbox to empty")
        assert exactly_once(self.committed(), self.net.recorded_keys()) == (0, 0, 0)


def _online(hub: HubService) -> bool:
    kiosks: list[dict[str, Any]] = hub.call(lambda s: s.kiosks())
    return sum(int(k["online"]) for k in kiosks) == KIOSKS


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Group]:
    """One group for the module's stories (each checks what it did, and every check-in so far)."""
    net = FleetNet(
        tmp_path_factory.mktemp("fleet"), SITES, KIOSKS, local_site={"south": "main"}, cuttable=("north",)
    )
    net.start()
    hubs: dict[str, HubService] = {}
    swarm: Swarm | None = None
    try:
        for site in SITES:
            hubs[site] = HubService(net.hub_settings(site, StaffSettings(display_deadline_s=1)))
            hubs[site].start(sample_morning(SystemClock().now().date()))
        swarm = Swarm(Spec(net.kiosk_specs(), ack_timeout_s=2.0, health_interval_s=2.0, keepalive_s=5))
        wait_until(lambda: swarm.ask("ready")["holding_day"] == len(SITES) * KIOSKS, 60, "every kiosk's day")
        for hub in hubs.values():  # and each hub has heard its kiosks' births over the bridge
            wait_until(partial(_online, hub), 60, "every kiosk's birth at its hub")
        yield Group(net, hubs, swarm)
    finally:
        if swarm is not None:
            swarm.close()
        for hub in hubs.values():
            hub.stop()
        net.stop()


def test_the_bridges_carry_the_day_out_and_check_ins_in_with_remapped_prefixes(group: Group) -> None:
    # The day reached every kiosk through its site's bridge (the fixture waited for it);
    # a check-in goes up the bridge and its acknowledgement comes back down.
    group.swarm.ask("checkins", per_kiosk=2, rate=0)
    group.assert_exactly_once()
    for site in SITES:
        kiosks = group.hubs[site].call(lambda s: {r["kiosk_id"] for r in s.checkins()})
        assert kiosks == set(group.net.kiosk_ids[site])  # each site's hub, its own kiosks only

    # A status change at "south" reaches south's kiosks (which call their site "main") only.
    result = group.hubs["south"].set_status(status_request("chen", "late", 10))
    assert result.accepted
    wait_until(group.converged, 60, "south's kiosks to show chen late")
    shown = group.swarm.ask("shown")["statuses"]
    assert all(shown[k] == {"chen": result.status_version} for k in group.net.kiosk_ids["south"])
    assert all(shown[k] == {} for k in group.net.kiosk_ids["north"])


def test_a_cut_uplink_stores_and_forwards_and_every_kiosk_converges(group: Group) -> None:
    north = group.hubs["north"]
    group.net.cut_uplink("north")
    cut_at = time.monotonic()
    # North's kiosks keep checking patients in (their broker is theirs) ...
    group.swarm.ask("checkins", per_kiosk=3, rate=20)
    # ... while the hub, which cannot reach them, changes statuses twice.
    assert north.set_status(status_request("martinez", "out")).accepted
    assert north.set_status(status_request("chen", "late", 15)).accepted
    # Nobody at north can show them: the hub escalates (display deadline 1 s).
    wait_until(
        lambda: any(e["open"] and e["id"].startswith("display-") for e in group.escalations("north")),
        10,
        "a display escalation at north",
    )
    while time.monotonic() - cut_at < 4.0:
        time.sleep(0.1)
    assert not group.settled()  # north's check-ins wait for the uplink
    group.net.restore_uplink("north")

    group.assert_exactly_once()
    wait_until(group.converged, 60, "every kiosk to show the newest statuses")
    wait_until(
        lambda: not any(e["open"] for e in group.escalations("north")), 10, "north's escalations resolved"
    )
    opened = [e for e in group.escalations("north") if e["id"].startswith("display-")]
    assert opened and all(e["resolved_at"] for e in opened)


def test_a_central_restart_and_a_killed_site_broker_lose_nothing(group: Group) -> None:
    group.swarm.ask("checkins", per_kiosk=4, rate=15)
    time.sleep(0.3)
    group.net.central.stop()
    time.sleep(1.0)
    group.net.central.start()
    assert group.hubs["north"].set_status(status_request("okafor", "late", 5)).accepted
    time.sleep(0.5)
    group.net.site_brokers["south"].kill()
    assert group.hubs["south"].set_status(status_request("patel", "late", 20)).accepted
    time.sleep(1.0)
    group.net.site_brokers["south"].start()

    group.assert_exactly_once()
    wait_until(group.converged, 60, "every kiosk to show the newest statuses")
    # The hub's availability is retained state: after the central restart no site may hold a
    # stale "offline" (its kiosks would stop sending what the hub has not acknowledged).
    time.sleep(1.0)
    assert group.swarm.ask("report")["hub_offline"] == []
