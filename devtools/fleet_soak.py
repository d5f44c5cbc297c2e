"""The long version of tests/fleet/test_fleet.py, for a soak from a checkout:

    python -m devtools.fleet_soak [--sites 4] [--kiosks 10] [--outage-s 300] [--seed N]

A practice group on loopback (a central mosquitto, one per site, bridged, from the files
``kiosk hub fleet-config`` writes; the site hubs central; simulated kiosks). Site 0's
uplink is cut for ``--outage-s`` while every kiosk keeps checking patients in and site 0's
hub changes a status every few seconds; then the central broker is restarted and site 1's
broker SIGKILLed and restarted, still under load. Afterwards: 0 check-ins lost or doubled,
every kiosk shows its hub's newest statuses, and the display escalations opened for site
0's unreachable kiosks are all resolved. Prints a JSON summary; exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from config.settings import StaffSettings
from core.clock import SystemClock
from devtools.fleet import FleetNet, exactly_once, wait_until
from devtools.fleet_hubs import status_change
from devtools.fleet_sim import Spec
from devtools.fleet_swarm import Swarm
from hub.sample import PROVIDERS, sample_morning
from hub.service import HubService


def _newest(hub: HubService) -> dict[str, int]:
    def versions(store: Any) -> dict[str, int]:
        held = {p: store.status(p) for p in store.provider_ids()}
        return {p: s.version for p, s in held.items() if s is not None}

    return dict(hub.call(versions))


def _unreachable(hub: HubService) -> list[dict[str, Any]]:
    """The open escalations about kiosks the hub could not reach: a status not displayed, a
    check-in held unacknowledged."""
    rows: list[dict[str, Any]] = hub.call(lambda s: s.staff.escalations(only_open=True))
    return [e for e in rows if e["about"] in ("display", "outbox")]


def _soak(
    net: FleetNet, hubs: dict[str, HubService], swarm: Swarm, args: argparse.Namespace
) -> dict[str, Any]:
    rng = random.Random(args.seed)
    first, second = net.sites[0], net.sites[1]
    swarm.ask("checkins", per_kiosk=10**6, rate=args.rate)  # until the swarm stops
    changes = 0
    net.cut_uplink(first)
    cut = time.monotonic()
    while time.monotonic() - cut < args.outage_s:
        time.sleep(rng.uniform(2.0, 8.0))
        hubs[first].set_status(status_change(rng.choice(list(PROVIDERS)), rng.randint(1, 90)))
        changes += 1
    opened = [e["id"] for e in _unreachable(hubs[first])]
    net.restore_uplink(first)
    time.sleep(5.0)
    net.central.stop()
    time.sleep(rng.uniform(1.0, 5.0))
    net.central.start()
    time.sleep(5.0)
    net.site_brokers[second].kill()
    hubs[second].set_status(status_change(rng.choice(list(PROVIDERS)), 30))
    time.sleep(rng.uniform(1.0, 5.0))
    net.site_brokers[second].start()
    time.sleep(5.0)
    swarm.ask("checkins", per_kiosk=0, rate=0)  # the endless load ends
    return {"status_changes_during_outage": changes, "escalations_open_at_the_end_of_the_outage": len(opened)}


def _verify(net: FleetNet, hubs: dict[str, HubService], swarm: Swarm) -> dict[str, Any]:
    """Every outbox empties, nothing is lost or doubled, every kiosk shows its hub's newest
    statuses, and the escalations about the unreachable site are resolved."""
    wait_until(lambda: swarm.ask("owed")["owed"] == 0, 300, "every outbox to empty")
    report = swarm.ask("report")
    committed = [k for keys in report["committed"].values() for k in keys]
    lost, doubled, foreign = exactly_once(committed, net.recorded_keys())

    def converged() -> bool:
        shown = swarm.ask("shown")["statuses"]
        return all(shown[k] == _newest(hubs[s]) for s in net.sites for k in net.kiosk_ids[s])

    wait_until(converged, 120, "every kiosk to show the newest statuses")
    first = hubs[net.sites[0]]
    wait_until(lambda: not _unreachable(first), 120, "the escalations resolved")
    # A supervisor notice nobody acknowledged in notice_ack_min escalates, rightly: the soak
    # has no supervisor. Those stay open; they are counted, not failed.
    rows: list[dict[str, Any]] = first.call(lambda s: s.staff.escalations())
    return {
        "committed": len(committed),
        "lost": lost,
        "doubled": doubled,
        "foreign": foreign,
        "resent": report["resent"],
        "faults": report["faults"],
        "notice_escalations_open": sum(bool(e["open"]) and e["about"] == "notice" for e in rows),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.fleet_soak", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--kiosks", type=int, default=10)
    parser.add_argument("--outage-s", type=float, default=300.0)
    parser.add_argument("--rate", type=float, default=20.0, help="check-ins per second, all kiosks together")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    args.seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    summary: dict[str, Any] = {"seed": args.seed}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kiosk-fleet-soak-") as tmp:
        names = [f"site{i}" for i in range(max(2, args.sites))]
        net = FleetNet(Path(tmp), names, args.kiosks, cuttable=(names[0],))
        net.start()
        hubs = {s: HubService(net.hub_settings(s, StaffSettings(display_deadline_s=30))) for s in names}
        swarm: Swarm | None = None
        code = 1
        try:
            for hub in hubs.values():
                hub.start(sample_morning(SystemClock().now().date(), per_provider=64))
            swarm = Swarm(Spec(net.kiosk_specs(), ack_timeout_s=10.0, health_interval_s=15.0))
            wait_until(lambda: swarm.ask("ready")["holding_day"] == len(names) * args.kiosks, 60, "the day")
            summary |= _soak(net, hubs, swarm, args)
            summary |= _verify(net, hubs, swarm)
            ok = (summary["lost"], summary["doubled"], summary["foreign"]) == (0, 0, 0)
            ok = ok and summary["escalations_open_at_the_end_of_the_outage"] > 0
            summary["result"] = "ok: 0 lost, 0 doubled, converged, escalations resolved" if ok else "FAILED"
            code = 0 if ok else 1
        except AssertionError as exc:
            summary["result"] = f"FAILED: {exc}"
            if swarm is not None:
                report = swarm.ask("report")
                summary |= {
                    k: report[k] for k in ("owed", "hub_offline", "disconnected", "connects", "faults")
                }
                summary["hubs"] = {s: dict(h.stats) for s, h in hubs.items()}
                summary["open_escalations"] = [e["id"] for e in _unreachable(hubs[names[0]])]
        finally:
            if swarm is not None:
                swarm.close()
            for hub in hubs.values():
                hub.stop()
            net.stop()
    summary["minutes"] = round((time.monotonic() - started) / 60, 1)
    print(json.dumps(summary, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(main())
