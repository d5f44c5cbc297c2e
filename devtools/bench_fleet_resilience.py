"""The fleet's resilience figures (issue 36), printed beside the fleet figures:

- ``fleet_concurrent_start_failures``: of 20 fresh hub databases (50 with ``--full``;
  ``concurrent_start.rounds`` says which), each opened by a hub and two intake workers'
  start at the same instant (``devtools.fleet_start``), how many rounds had a process
  fail (0 expected).
- ``fleet_broker_kill_retained_lost``: the central broker, then a site broker (uplink cut),
  SIGKILLed holding 20 retained and 50 queued QoS 1 messages each
  (``devtools.fleet_persistence``): retained messages missing after the restart (0
  expected); ``fleet_broker_kill_queued_lost`` likewise for the queued ones.
- ``fleet_outage_copies_per_checkin``: a site's uplink cut silently (a relay that drops
  every packet, so the bridge notices only by keepalive, after about 45 s) for 2 minutes
  (10 with ``--full``, 1 in quick mode; ``outage.cut_s`` says which) while its 5 kiosks
  check in 1.5 patients a second
  (``devtools.fleet_outage``, a real cut in real time: the resend policy's clocks are the
  kiosks' own); copies of each check-in that reached the central broker, per check-in
  (<= 2 expected; 17 for a 5-minute cut before the kiosks heeded the bridge's state).
  ``outage_cut_copies_per_checkin``: a 30 s cut announced at once (connections reset;
  ``outage_cut`` has its counts).
- ``fleet_hung_broker_recovery_s``: the central broker, then a site broker, frozen with
  SIGSTOP under ``kiosk hub broker-probe``'s loop with its defaults
  (``devtools.fleet_hung``); the longer of the two times from the freeze until a client's
  round trip through the broker succeeds again (<= 30 expected).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from devtools.fleet_hung import hung_brokers
from devtools.fleet_outage import run_outage
from devtools.fleet_persistence import broker_kills
from devtools.fleet_start import concurrent_start_failures

SILENT_CUT_S = 120.0
# An announced cut turns the bridge's state to 0 at once, so the kiosks hold back from the
# first second: 1.00 copies for a 10-minute cut as for this one.
RESET_CUT_S = 30.0
FULL_SILENT_CUT_S = 600.0
START_ROUNDS = 20
FULL_START_ROUNDS = 50


def run_resilience(quick: bool, full: bool = False) -> dict[str, Any]:
    """The default run's silent cut is SILENT_CUT_S (the bridge notices after ~45 s, the
    kiosks' resends of that window are all sent by ~90 s: what the figure measures is in
    it); ``full`` cuts for FULL_SILENT_CUT_S and starts FULL_START_ROUNDS databases."""
    seconds: dict[str, float] = {}
    at = time.monotonic()

    def lap(part: str) -> None:
        nonlocal at
        seconds[part] = round(time.monotonic() - at, 1)
        at = time.monotonic()

    start_rounds = 10 if quick else FULL_START_ROUNDS if full else START_ROUNDS
    start = concurrent_start_failures(rounds=start_rounds, processes=3)
    lap("concurrent_start")
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-kill-") as tmp:
        kills = broker_kills(Path(tmp), retained=20, queued=50)
    lap("broker_kills")
    cut_s = 60.0 if quick else FULL_SILENT_CUT_S if full else SILENT_CUT_S
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-outage-") as tmp:
        outage = run_outage(Path(tmp), cut_s=cut_s, rate=1.5, kiosks=5, silent=True)
    lap("silent_outage")
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-outage-") as tmp:
        reset = run_outage(Path(tmp), cut_s=RESET_CUT_S, rate=1.5, kiosks=5)
    lap("reset_outage")
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-hung-") as tmp:
        hung = hung_brokers(Path(tmp))
    lap("hung_brokers")
    return {
        "resilience_seconds": seconds,  # where the area's time goes
        "fleet_concurrent_start_failures": start["fleet_concurrent_start_failures"],
        "concurrent_start": start,
        "fleet_broker_kill_retained_lost": kills["fleet_broker_kill_retained_lost"],
        "fleet_broker_kill_queued_lost": kills["fleet_broker_kill_queued_lost"],
        "broker_kills": kills,
        "fleet_outage_copies_per_checkin": outage["fleet_outage_copies_per_checkin"],
        "outage": outage,
        "outage_cut_copies_per_checkin": reset["fleet_outage_copies_per_checkin"],
        "outage_cut": reset,
        "fleet_hung_broker_recovery_s": hung["fleet_hung_broker_recovery_s"],
        "hung_brokers": hung["brokers"],
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_resilience(quick="--quick" in sys.argv), indent=2))
