"""An uplink cut under check-in load: how many copies of each check-in cross the uplink.

One site (``north``, its hub run centrally) with simulated kiosks (``devtools.fleet_sim``,
which resend as the real kiosk does: ``sync.resend_policy``) checking patients in at
``rate`` a second; its uplink runs through the proxy and is cut for ``cut_s``. A login
at the central broker (the group's terminal, which reads every site's tree) counts every
copy of every check-in that arrives there: copies per check-in = copies / check-ins.
Every check-in must still be recorded exactly once and acknowledged.

With ``silent`` the uplink is stalled instead of cut (a relay that drops every packet):
the bridge learns it only from its keepalive (30 s, so after about 45 s), and what the
kiosks check in before then is sent again with back-off until the state says "down".

``python -m devtools.fleet_outage [--cut-s 600] [--rate 1.5] [--kiosks 5] [--silent]``"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.clock import SystemClock
from core.worker import Worker
from devtools.fleet import PASSWORD, FleetNet, exactly_once, wait_until
from devtools.fleet_sim import Spec
from devtools.fleet_swarm import Swarm
from devtools.login_client import LoginClient
from hub.sample import sample_morning
from hub.service import HubService
from sync.topics import TopicTree

SITE = "north"


class CopyCounter:
    """Every check-in copy that reaches the central broker, by key."""

    def __init__(self, net: FleetNet) -> None:
        self.copies: Counter[str] = Counter()
        self.client = LoginClient(net.central_port, "desk", PASSWORD, net.ca_file, mqtt5=True).connect()
        # QoS 0: the counter is never sent a copy twice itself (a copy it missed while
        # disconnected is reported as not seen)
        self.client.subscribe(TopicTree("acme", SITE).kiosk("+", "checkin"), qos=0)
        # Counts what arrived, again as soon as a round is done (each waits up to 0.2 s).
        self._worker = Worker("copy-counter", on_tick=self._count)
        self._worker.start()

    def _count(self) -> None:
        for got in self.client.collect(1000, 0.2):
            try:
                self.copies[str(json.loads(got.payload)["key"])] += 1
            except (ValueError, KeyError, TypeError):
                self.copies["?"] += 1

    def close(self) -> None:
        self._worker.stop(5)
        self.client.close()


def wait_until_or(missing: Callable[[], set[str]], timeout: float) -> set[str]:
    """What ``missing`` still names after waiting up to ``timeout`` for it to empty."""
    deadline = time.monotonic() + timeout
    while (left := missing()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def run_outage(
    workdir: Path, *, cut_s: float, rate: float = 1.5, kiosks: int = 5, silent: bool = False
) -> dict[str, Any]:
    net = FleetNet(workdir, [SITE], kiosks, cuttable=(SITE,))
    net.start()
    hub = HubService(net.hub_settings(SITE))
    swarm: Swarm | None = None
    counter: CopyCounter | None = None
    try:
        hub.start(sample_morning(SystemClock().now().date(), per_provider=40))
        swarm = Swarm(Spec(net.kiosk_specs(), ack_timeout_s=10.0, health_interval_s=15.0))
        wait_until(lambda: swarm.ask("ready")["holding_day"] == kiosks, 60, "the day at every kiosk")
        counter = CopyCounter(net)
        swarm.ask("checkins", per_kiosk=10**6, rate=rate, to_desk=True)  # until told otherwise
        time.sleep(5.0)  # the load runs before the cut
        if silent:
            net.stall_uplink(SITE)
        else:
            net.cut_uplink(SITE)
        time.sleep(cut_s)
        net.restore_uplink(SITE)
        time.sleep(15.0)  # and after it
        swarm.ask("checkins", per_kiosk=0, rate=0)
        wait_until(lambda: swarm.ask("owed")["owed"] == 0, 300, "every check-in acknowledged")
        committed = [k for keys in swarm.ask("report")["committed"].values() for k in keys]
        missing = wait_until_or(lambda: set(committed) - set(counter.copies), 60)
        time.sleep(2.0)  # late copies still on their way count too
        copies = sum(counter.copies[k] for k in committed)
        lost, doubled, foreign = exactly_once(committed, net.recorded_keys())
        report = swarm.ask("report")
        return {
            "cut_s": cut_s,
            "silent": silent,
            "rate_per_s": rate,
            "kiosks": kiosks,
            "checkins": len(committed),
            "copies": copies,
            "fleet_outage_copies_per_checkin": round(copies / max(1, len(committed)), 3),
            "not_seen_at_the_centre": len(missing),  # only if the counter itself lost its link
            "counter_disconnects": counter.client.disconnects,
            "most_copies_of_one": max((counter.copies[k] for k in committed), default=0),
            "resent_by_kiosks": report["resent"],
            "lost": lost,
            "doubled": doubled,
            "foreign": foreign,
        }
    finally:
        if counter is not None:
            counter.close()
        if swarm is not None:
            swarm.close()
        hub.stop()
        net.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.fleet_outage", description=__doc__)
    parser.add_argument("--cut-s", type=float, default=600.0)
    parser.add_argument("--rate", type=float, default=1.5, help="check-ins per second at the site")
    parser.add_argument("--kiosks", type=int, default=5)
    parser.add_argument("--silent", action="store_true", help="stall the uplink instead of cutting it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-fleet-outage-") as tmp:
        result = run_outage(
            Path(tmp), cut_s=args.cut_s, rate=args.rate, kiosks=args.kiosks, silent=args.silent
        )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
