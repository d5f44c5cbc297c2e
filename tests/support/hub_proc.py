"""The hub in its own process, so a test can SIGKILL it.

    python -m tests.support.hub_proc PORT STATE_DIR [CA_FILE]
Starts the hub with today's sample morning (a restart loads the same day: nothing that
was checked in is forgotten), prints ``ready``, and runs until stdin closes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from config.settings import BrokerSettings
from tests.support.site import start_hub


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
    for _line in sys.stdin:
        pass
    hub.stop()


if __name__ == "__main__":
    main()
