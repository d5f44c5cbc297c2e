"""The ``fleet`` figures: a practice group of 20 sites x 25 simulated kiosks on loopback,
every site's mosquitto bridged to a central one (the files ``kiosk hub fleet-config``
writes: TLS, ACLs, QoS 1 and persistent sessions), the 20 site hubs run centrally in one
process (``devtools.fleet_hubs``), the kiosks in two (``devtools.fleet_swarm``).

- ``status_to_all_displays_ms_p99``: a hub changes a provider's status → the last of its
  site's kiosks has applied it (and sent its display receipt); one site after another,
  0.1 s apart, ``rounds`` times; the p99 over the changes of "every kiosk displays it".
  ``status_burst_*``: the same with all 20 sites changing at once;
- ``checkins_per_s``: every kiosk commits its check-ins at once; recorded (synchronous=FULL)
  per second by the central hubs, from the first commit to the last record. These send the
  patient to the desk, so no appointment changes; ``arrivals`` are the same with booked
  appointments checked in, each fanned out to the site's kiosks (appointment event, paced
  schedule): there the 500 simulated kiosks' own receiving is what the figure measures;
- ``lost`` / ``doubled``: committed at a kiosk and not recorded / recorded twice;
- ``hub_cpu``: the hubs' process CPU during the intake (1.0 = one core), ``hub_rss_mb``.

The machine is shared by the brokers, the hubs and the kiosks: figures are noisy.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from devtools.bench import full_run, percentiles
from devtools.bench_fleet_resilience import run_resilience
from devtools.fleet import PASSWORD, PRACTICE, FleetNet, exactly_once, wait_until
from devtools.fleet_hubs import HubHost, HubsSpec
from devtools.fleet_sim import Spec
from devtools.fleet_swarm import Swarm, split
from hub.sample import PROVIDERS


def run_fleet(
    state: Path,
    *,
    sites: int = 20,
    kiosks: int = 25,
    rounds: int = 10,
    per_kiosk: int = 20,
    arrivals_per_kiosk: int = 4,
    swarms: int = 2,
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
        spread = _status_changes(hubs, pool, names, rounds, together=False)
        burst = _status_changes(hubs, pool, names, max(2, rounds // 2), together=True, first=rounds)
        propagation_s = time.monotonic() - started
        intake = _intake(hubs, pool, per_kiosk, to_desk=True)
        arrivals = _intake(hubs, pool, arrivals_per_kiosk, to_desk=False)
        committed = [k for s in pool for keys in s.ask("report")["committed"].values() for k in keys]
        lost, doubled, foreign = exactly_once(committed, net.recorded_keys())
        return {
            "fleet": {
                "sites": sites,
                "kiosks": total,
                "status_changes": len(spread),
                "status_to_all_displays_ms_p99": percentiles(spread)["p99"],
                "status_to_all_displays_ms_p50": percentiles(spread)["p50"],
                "status_burst_changes": len(burst),
                "status_burst_to_all_displays_ms_p99": percentiles(burst)["p99"],
                "status_burst_to_all_displays_ms_p50": percentiles(burst)["p50"],
                "status_rounds_s": round(propagation_s, 1),
                # Intake: check-ins that send the patient to the desk change no appointment,
                # so the hubs record and acknowledge them and nothing fans out.
                "checkins_per_s": intake["per_s"],
                "hub_cpu": intake["hub_cpu"],
                "hub_rss_mb": intake["hub_rss_mb"],
                "intake": intake,
                # Arrivals: each changes an appointment - an appointment event to every kiosk
                # of the site, and the site's retained schedule again (at most once a second).
                "arrivals": arrivals,
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


def _status_changes(
    hubs: HubHost, pool: list[Swarm], sites: list[str], rounds: int, *, together: bool, first: int = 0
) -> list[float]:
    """``rounds`` status changes at every site - one site after the other (``together``
    False: a change now and then, the usual morning) or every site at once (a bad morning
    everywhere); per change, the ms until the last of that site's kiosks applied it."""
    providers = list(PROVIDERS)
    changes: list[tuple[str, str, int, float]] = []  # site, provider, version, at
    for r in range(first, first + rounds):
        provider = providers[r % len(providers)]
        for site in sites:
            answer = hubs.ask("status", site=site, provider=provider, delay=5 + r)
            changes.append((site, provider, int(answer["version"]), float(answer["at"])))
            if not together:
                time.sleep(0.1)
        if together:
            time.sleep(1.0)
    time.sleep(2.0)
    shown: dict[str, dict[str, float]] = {}
    for swarm in pool:
        shown |= swarm.ask("shown")["shown"]
    spread = []
    for site, provider, version, at in changes:
        times = [t.get(f"{provider}/{version}") for k, t in shown.items() if k.startswith(f"{site}-")]
        # A kiosk that never showed it counts as the worst.
        spread.append(max((t - at) * 1000 if t is not None else float("inf") for t in times))
    return spread


def _intake(hubs: HubHost, pool: list[Swarm], per_kiosk: int, *, to_desk: bool) -> dict[str, Any]:
    """Every kiosk commits ``per_kiosk`` check-ins at once; how fast the hubs record them."""
    before = hubs.ask("stats")
    recorded_before = sum(before["checkins"].values())
    acked_before = [len(r["acked_in_s"]) for r in (s.ask("report") for s in pool)]
    load = [s.ask("checkins", per_kiosk=per_kiosk, rate=0, to_desk=to_desk)["started"] for s in pool]
    expected = recorded_before + sum(load)
    started = time.monotonic()
    rss = []
    while True:
        stats = hubs.ask("stats")
        rss.append(stats["rss_mb"])
        if sum(stats["checkins"].values()) >= expected or time.monotonic() - started > 300:
            break
        time.sleep(0.2)
    seconds = float(stats["at"]) - started
    recorded = sum(stats["checkins"].values()) - recorded_before
    cpu = (float(stats["cpu_s"]) - float(before["cpu_s"])) / max(seconds, 1e-6)
    wait_until(lambda: sum(s.ask("owed")["owed"] for s in pool) == 0, 300, "every check-in acknowledged")
    acked_s = time.monotonic() - started
    reports = [s.ask("report") for s in pool]
    acked = sorted(t for r, n in zip(reports, acked_before, strict=True) for t in r["acked_in_s"][n:])
    return {
        "checkins": recorded,
        "per_s": round(recorded / max(seconds, 1e-6), 1),
        "all_acknowledged_s": round(acked_s, 2),
        "commit_to_ack_ms": percentiles([t * 1000 for t in acked]),
        "hub_cpu": round(cpu, 2),
        "hub_rss_mb": max(rss),
    }


def run_bench(quick: bool) -> dict[str, Any]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-fleet-") as tmp:
        if quick:
            result = run_fleet(Path(tmp), rounds=4, per_kiosk=20, arrivals_per_kiosk=2)
        else:
            result = run_fleet(Path(tmp))
    result["fleet"]["group_seconds"] = round(time.monotonic() - started, 1)
    result["fleet"] |= run_resilience(quick, full_run())  # outages, restarts, starts together
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run_bench(quick=False), indent=2))
