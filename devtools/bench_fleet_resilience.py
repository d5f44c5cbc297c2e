"""The fleet's resilience figures (issue 36), printed beside the fleet figures:

- ``fleet_concurrent_start_failures``: of 50 fresh hub databases, each opened by a hub and
  two intake workers' start at the same instant (``devtools.fleet_start``), how many
  rounds had a process fail (0 expected).
"""

from __future__ import annotations

from typing import Any

from devtools.fleet_start import concurrent_start_failures


def run_resilience(quick: bool) -> dict[str, Any]:
    start = concurrent_start_failures(rounds=10 if quick else 50, processes=3)
    return {
        "fleet_concurrent_start_failures": start["fleet_concurrent_start_failures"],
        "concurrent_start": start,
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_resilience(quick="--quick" in sys.argv), indent=2))
