"""A hub with its EHR interface in its own process, so a test can SIGKILL it.

    python -m tests.support.ehr_hub_proc STATE_DIR MLLP_PORT [ARRIVALS_PORT]
prints ``ready``; stdin: ``checkin APPOINTMENT_ID PROVIDER_ID`` (a kiosk's check-in as
the broker would deliver it) → ``ok``. Runs until stdin closes. No broker: the hub's
publishes wait for one, the MLLP side does not need it.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

from sync import messages as m
from sync.link import LinkEvent
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.clock import wall_now
from tests.support.siu import EhrHub, ehr_settings


def main() -> None:
    state_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    arrivals: dict[str, Any] = {}
    if len(sys.argv) > 3:
        arrivals = {"arrivals_host": "127.0.0.1", "arrivals_port": int(sys.argv[3])}
    site = EhrHub(
        ehr_settings(state_dir, port=port, arrivals_ack_timeout_s=0.5, arrivals_retry_max_s=0.3, **arrivals)
    )
    print("ready", flush=True)
    tree = TopicTree("acme", "main")
    for line in sys.stdin:
        parts = line.split()
        if parts[:1] == ["checkin"]:
            msg = m.CheckIn(uuid.uuid4().hex, "lobby-1", parts[1], parts[2], wall_now().isoformat(), "dob")
            site.hub.on_link_event(LinkEvent("message", tree.checkin("lobby-1"), encode(msg)))
            site.hub.call(lambda _store: None)
        print("ok", flush=True)
    site.stop()


if __name__ == "__main__":
    main()
