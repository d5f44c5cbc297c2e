"""The fleet's resilience figures (issue 36), printed beside the fleet figures:

- ``fleet_concurrent_start_failures``: of 50 fresh hub databases, each opened by a hub and
  two intake workers' start at the same instant (``devtools.fleet_start``), how many
  rounds had a process fail (0 expected).
- ``fleet_broker_kill_retained_lost``: the central broker, then a site broker (uplink cut),
  SIGKILLed holding 20 retained and 50 queued QoS 1 messages each
  (``devtools.fleet_persistence``): retained messages missing after the restart (0
  expected); ``fleet_broker_kill_queued_lost`` likewise for the queued ones.
- ``fleet_outage_copies_per_checkin``: a site's uplink cut silently (a relay that drops
  every packet, so the bridge notices only by keepalive, after about 45 s) for 10 minutes
  (1 in quick mode) while its 5 kiosks check in 1.5 patients a second
  (``devtools.fleet_outage``, a real cut in real time: the resend policy's clocks are the
  kiosks' own); copies of each check-in that reached the central broker, per check-in
  (<= 2 expected; 17 for a 5-minute cut before the kiosks heeded the bridge's state).
  ``outage_cut_copies_per_checkin``: the same cut announced at once (connections reset).
- ``fleet_hung_broker_recovery_s``: the central broker, then a site broker, frozen with
  SIGSTOP under ``kiosk hub broker-probe``'s loop with its defaults
  (``devtools.fleet_hung``); the longer of the two times from the freeze until a client's
  round trip through the broker succeeds again (<= 30 expected).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from devtools.fleet_hung import hung_brokers
from devtools.fleet_outage import run_outage
from devtools.fleet_persistence import broker_kills
from devtools.fleet_start import concurrent_start_failures


def run_resilience(quick: bool) -> dict[str, Any]:
    start = concurrent_start_failures(rounds=10 if quick else 50, processes=3)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-kill-") as tmp:
        kills = broker_kills(Path(tmp), retained=20, queued=50)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-outage-") as tmp:
        outage = run_outage(Path(tmp), cut_s=60.0 if quick else 600.0, rate=1.5, kiosks=5, silent=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-outage-") as tmp:
        reset = run_outage(Path(tmp), cut_s=60.0, rate=1.5, kiosks=5)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-hung-") as tmp:
        hung = hung_brokers(Path(tmp))
    return {
        "fleet_concurrent_start_failures": start["fleet_concurrent_start_failures"],
        "concurrent_start": start,
        "fleet_broker_kill_retained_lost": kills["fleet_broker_kill_retained_lost"],
        "fleet_broker_kill_queued_lost": kills["fleet_broker_kill_queued_lost"],
        "broker_kills": kills,
        "fleet_outage_copies_per_checkin": outage["fleet_outage_copies_per_checkin"],
        "outage": outage,
        "outage_cut_copies_per_checkin": reset["fleet_outage_copies_per_checkin"],
        "fleet_hung_broker_recovery_s": hung["fleet_hung_broker_recovery_s"],
        "hung_brokers": hung["brokers"],
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_resilience(quick="--quick" in sys.argv), indent=2))
