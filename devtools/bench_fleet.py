"""The ``fleet`` figures: a practice group of 20 sites x 25 simulated kiosks on loopback,
every site's mosquitto bridged to a central one (the files ``kiosk hub fleet-config``
writes: TLS, ACLs, QoS 1 and persistent sessions), the 20 site hubs run centrally in one
process (``devtools.fleet_hubs``), the kiosks in two (``devtools.fleet_sim``).

- ``status_to_all_displays_ms_p99``: a hub changes a provider's status → the last of its
  site's kiosks has applied it (and sent its display receipt); all 20 sites at once, in
  rounds; the p99 over the changes of "every kiosk displays it";
- ``checkins_per_s``: every kiosk checks in as fast as it commits; check-ins recorded
  (synchronous=FULL) per second by the central hubs, from the first commit to the last record;
- ``lost`` / ``doubled``: committed at a kiosk and not recorded / recorded twice;
- ``hub_cpu``: the hubs' process CPU during the intake (1.0 = one core), ``hub_rss_mb``.

The machine is shared by the brokers, the hubs and the kiosks: figures are noisy.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from devtools.bench import percentiles
from devtools.fleet import PASSWORD, PRACTICE, FleetNet, exactly_once, wait_until
from devtools.fleet_hubs import HubHost, HubsSpec
from devtools.fleet_sim import Spec, Swarm, split
from hub.sample import PROVIDERS


def run_fleet(
    state: Path, *, sites: int = 20, kiosks: int = 25, rounds: int = 10, per_kiosk: int = 8, swarms: int = 2
) -> dict[str, Any]:
    names = [f"s{i:02d}" for i in range(sites)]
    net = FleetNet(state, names, kiosks)
    net.start()
    hubs = HubHost(
        HubsSpec(PRACTICE, names, str(state), net.central_port, PASSWORD, net.ca_file, per_provider=60)
    )
    pool = [
        Swarm(Spec(part, ack_timeout_s=10.0, health_interval_s=30.0))
        for part in split(net.kiosk_specs(), swarms)
    ]
    try:
        total = sites * kiosks
        wait_until(
            lambda: sum(s.ask("ready")["holding_day"] for s in pool) == total, 120, "every kiosk's day"
        )
        started = time.monotonic()
        spread = _status_rounds(hubs, pool, names, rounds)
        propagation_s = time.monotonic() - started
        intake = _intake(hubs, pool, per_kiosk)
        committed = [k for s in pool for keys in s.ask("report")["committed"].values() for k in keys]
        lost, doubled, foreign = exactly_once(committed, net.recorded_keys())
        return {
            "fleet": {
                "sites": sites,
                "kiosks": total,
                "status_changes": len(spread),
                "status_to_all_displays_ms_p99": percentiles(spread)["p99"],
                "status_to_all_displays_ms_p50": percentiles(spread)["p50"],
                "status_rounds_s": round(propagation_s, 1),
                **intake,
                "committed": len(committed),
                "lost": lost,
                "doubled": doubled,
                "foreign": foreign,
            }
        }
    finally:
        for swarm in pool:
            swarm.close()
        hubs.close()
        net.stop()


def _status_rounds(hubs: HubHost, pool: list[Swarm], sites: list[str], rounds: int) -> list[float]:
    """Each round changes one provider's status at every site at once; per change, the ms
    until the last of that site's kiosks applied it."""
    providers = list(PROVIDERS)
    changes: list[tuple[str, str, int, float]] = []  # site, provider, version, at
    for r in range(rounds):
        provider = providers[r % len(providers)]
        for site in sites:
            answer = hubs.ask("status", site=site, provider=provider, delay=5 + r)
            changes.append((site, provider, int(answer["version"]), float(answer["at"])))
        time.sleep(1.0)
    time.sleep(2.0)
    shown: dict[str, dict[str, float]] = {}
    for swarm in pool:
        shown |= swarm.ask("shown")["shown"]
    spread = []
    for site, provider, version, at in changes:
        times = [t[f"{provider}/{version}"] for k, t in shown.items() if k.startswith(f"{site}-")]
        kiosks = [k for k in shown if k.startswith(f"{site}-")]
        if len(times) == len(kiosks):
            spread.append((max(times) - at) * 1000)
        else:
            spread.append(float("inf"))  # a kiosk that never showed it counts as the worst
    return spread


def _intake(hubs: HubHost, pool: list[Swarm], per_kiosk: int) -> dict[str, Any]:
    before = hubs.ask("stats")
    recorded_before = sum(before["checkins"].values())
    expected = recorded_before + sum(s.ask("checkins", per_kiosk=per_kiosk, rate=0)["started"] for s in pool)
    started = time.monotonic()
    samples = []
    while True:
        stats = hubs.ask("stats")
        samples.append(stats["rss_mb"])
        if sum(stats["checkins"].values()) >= expected or time.monotonic() - started > 120:
            break
        time.sleep(0.2)
    seconds = float(stats["at"]) - started
    recorded = sum(stats["checkins"].values()) - recorded_before
    cpu = (float(stats["cpu_s"]) - float(before["cpu_s"])) / max(seconds, 1e-6)
    wait_until(lambda: sum(s.ask("owed")["owed"] for s in pool) == 0, 120, "every check-in acknowledged")
    acked_s = time.monotonic() - started
    acked = sorted(t for s in pool for t in s.ask("report")["acked_in_s"])
    return {
        "checkins": recorded,
        "checkins_per_s": round(recorded / max(seconds, 1e-6), 1),
        "checkins_all_acknowledged_s": round(acked_s, 2),
        "checkin_to_ack_ms_p50": round(statistics.median(acked) * 1000, 1) if acked else None,
        "hub_cpu": round(cpu, 2),
        "hub_rss_mb": max(samples),
        "hub_rss_mb_idle": before["rss_mb"],
    }


def run_bench(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-fleet-") as tmp:
        if quick:
            return run_fleet(Path(tmp), sites=20, kiosks=25, rounds=4, per_kiosk=4)
        return run_fleet(Path(tmp))


if __name__ == "__main__":
    import json

    print(json.dumps(run_bench(quick=False), indent=2))
