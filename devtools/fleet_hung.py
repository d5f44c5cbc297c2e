"""A hung broker noticed and restarted: each broker of a group frozen with SIGSTOP (what a
broker that stops serving looks like from outside: its port accepts, nothing answers)
while ``hub.broker_probe``'s loop watches it, with the product's defaults (a round trip
every 5 s, 5 s to answer, restarted after 2 failures); the restart kills and starts the
broker as the probe's systemd commands would. The figure: seconds from the freeze until a
client's MQTT round trip through the broker succeeds again.

``python -m devtools.fleet_hung``"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from devtools.fleet import PASSWORD, ConfBroker, FleetNet, wait_until
from hub.broker_probe import ProbeLoop, ProbeSettings, round_trip


def watched_recovery(broker: ConfBroker, settings: ProbeSettings, timeout: float = 120.0) -> dict[str, Any]:
    """Freeze ``broker`` under a running probe loop; how long until it answers again."""

    def restart() -> None:  # what `systemctl kill --signal=SIGKILL` + `systemctl restart` do
        broker.kill()
        broker.start()

    loop = ProbeLoop(settings, restart=restart)
    worker = loop.worker()
    worker.start()
    try:
        wait_until(lambda: loop.heartbeat.alive() and round_trip(settings) is not None, 30, "a first answer")
        if broker.proc is None:
            raise RuntimeError(f"{broker.name} is not running")
        frozen = time.monotonic()
        os.kill(broker.proc.pid, signal.SIGSTOP)
        client = replace(settings, timeout_s=2.0)
        wait_until(lambda: loop.restarts >= 1 and round_trip(client) is not None, timeout, "the broker again")
        return {"recovery_s": round(time.monotonic() - frozen, 1), "restarts": loop.restarts}
    finally:
        worker.stop(settings.timeout_s + 5)


def hung_brokers(workdir: Path, **probe: Any) -> dict[str, Any]:
    """The central broker, then a site broker, frozen in turn."""
    net = FleetNet(workdir, ["north"], 1)
    net.start()
    try:
        results = {}
        for name, broker, port in (
            ("central", net.central, net.central_port),
            ("site-north", net.site_brokers["north"], net.ports["north"].broker),
        ):
            settings = ProbeSettings(
                host="localhost", port=port, password=PASSWORD, ca_file=net.ca_file, **probe
            )
            results[name] = watched_recovery(broker, settings)
    finally:
        net.stop()
    return {
        "fleet_hung_broker_recovery_s": max(r["recovery_s"] for r in results.values()),
        "brokers": results,
    }


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="kiosk-fleet-hung-") as tmp:
        print(json.dumps(hung_brokers(Path(tmp)), indent=2))
    sys.exit(0)
