"""The fleet's resilience figures (issue 36), printed beside the fleet figures:

- ``fleet_concurrent_start_failures``: of 50 fresh hub databases, each opened by a hub and
  two intake workers' start at the same instant (``devtools.fleet_start``), how many
  rounds had a process fail (0 expected).
- ``fleet_broker_kill_retained_lost``: the central broker, then a site broker (uplink cut),
  SIGKILLed holding 20 retained and 50 queued QoS 1 messages each
  (``devtools.fleet_persistence``): retained messages missing after the restart (0
  expected); ``fleet_broker_kill_queued_lost`` likewise for the queued ones.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from devtools.fleet_persistence import broker_kills
from devtools.fleet_start import concurrent_start_failures


def run_resilience(quick: bool) -> dict[str, Any]:
    start = concurrent_start_failures(rounds=10 if quick else 50, processes=3)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-kill-") as tmp:
        kills = broker_kills(Path(tmp), retained=20, queued=50)
    return {
        "fleet_concurrent_start_failures": start["fleet_concurrent_start_failures"],
        "concurrent_start": start,
        "fleet_broker_kill_retained_lost": kills["fleet_broker_kill_retained_lost"],
        "fleet_broker_kill_queued_lost": kills["fleet_broker_kill_queued_lost"],
        "broker_kills": kills,
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_resilience(quick="--quick" in sys.argv), indent=2))
