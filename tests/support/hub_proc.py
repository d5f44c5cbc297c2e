"""The hub in its own process, so a test can SIGKILL it.

    python -m tests.support.hub_proc PORT STATE_DIR [CA_FILE]
Starts the hub with today's sample morning (a restart loads the same day: nothing that
was checked in is forgotten), prints ``ready``, and runs until stdin closes.
stdin:  ``status <provider> <state> [delay]``  →  ``applied <version>`` (or ``refused <reason>``)
        ``epoch?``  →  ``epoch <seq>-<id>`` (the epoch the hub publishes under)
        ``checkins?``  →  ``checkins <how many recorded>``
"""

from __future__ import annotations

import sys
from pathlib import Path

from config.settings import BrokerSettings
from hub.service import HubService
from tests.support.site import start_hub, status_request


def _answer(hub: HubService, parts: list[str]) -> str:
    if parts[:1] == ["status"]:
        delay = int(parts[3]) if len(parts) > 3 else 0
        result = hub.set_status(status_request(parts[1], parts[2], delay))
        return f"applied {result.status_version}" if result.accepted else f"refused {result.reason}"
    if parts[:1] == ["epoch?"]:
        return f"epoch {hub.call(lambda _store: str(hub.own.epoch))}"
    if parts[:1] == ["checkins?"]:
        return f"checkins {hub.call(lambda store: store.checkin_count())}"
    return f"unknown {' '.join(parts)}"


def main() -> None:
    port, state_dir = int(sys.argv[1]), Path(sys.argv[2])
    ca_file = sys.argv[3] if len(sys.argv) > 3 else ""
    broker = BrokerSettings(
        host="localhost" if ca_file else "127.0.0.1",
        port=port,
        ca_file=ca_file,
        reconnect_min_s=0.1,
        reconnect_max_s=0.5,
        keepalive_s=5,
    )
    hub = start_hub(broker, state_dir)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip():
            print(_answer(hub, line.split()), flush=True)
    hub.stop()


if __name__ == "__main__":
    main()
