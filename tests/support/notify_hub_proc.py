"""A hub with notifications on, in its own process, so a test can SIGKILL it mid-burst.

    python -m tests.support.notify_hub_proc BROKER_PORT STATE_DIR SMPP_PORT MORNING_START RATE [PER_PROVIDER]
Loads the same morning every start (``MORNING_START``: ISO time), prints ``ready``; each
line ``PROVIDER STATE`` on stdin sets a status as the practice's terminal would and
prints the outcome; runs until stdin closes.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from config.settings import BrokerSettings
from devtools.smsc_sim import SmscSim
from hub.notify.hub_link import start_notifier
from hub.service import HubService
from tests.hub.notify.conftest import with_notify
from tests.hub.notify.rig import future_morning
from tests.support.site import site_settings, status_request


def main() -> None:
    broker_port, state_dir, smpp_port = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    start, rate = datetime.fromisoformat(sys.argv[4]), float(sys.argv[5])
    per_provider = int(sys.argv[6]) if len(sys.argv) > 6 else 15
    broker = BrokerSettings(port=broker_port, reconnect_min_s=0.1, reconnect_max_s=0.5)
    smsc = SmscSim(port=smpp_port)  # not started: only its address and credentials
    settings = with_notify(
        site_settings(broker, state_dir, "hub-side"),
        smsc,
        smpp_rate_per_s=rate,
        quiet_start="00:00",
        quiet_end="00:00",
    )
    hub = HubService(settings)
    notifier = start_notifier(settings, hub)
    hub.start(future_morning(per_provider, start=start))
    print("ready", flush=True)
    for line in sys.stdin:
        provider, state = line.split()
        result = hub.set_status(status_request(provider, state))
        print("applied" if result.accepted else result.reason, flush=True)
    hub.stop()
    if notifier is not None:
        notifier.stop()


if __name__ == "__main__":
    main()
