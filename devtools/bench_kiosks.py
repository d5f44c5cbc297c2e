"""Kiosks for the propagation benchmark, in a process of their own (as on real units,
where each kiosk has its own CPU): ``python -m devtools.bench_kiosks PORT STATE FIRST COUNT [CA]``
(with CA, over TLS).

Prints ``ready`` once every kiosk holds the day, then one line per status change a
kiosk has committed and told its listeners about: ``status VERSION KIOSK MONOTONIC``
(CLOCK_MONOTONIC is shared by all processes of the machine). Stops at end of stdin.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from devtools.bench_sync import bench_settings
from sync.kiosk_sync import KioskSync, SyncChange


def main() -> None:
    port, state, first, count = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    ca_file = sys.argv[5] if len(sys.argv) > 5 else ""
    lock = threading.Lock()
    syncs = []
    for i in range(first, first + count):
        sync = KioskSync(bench_settings(port, state, f"k{i:02d}", ca_file=ca_file))

        def on_change(change: SyncChange, kiosk: str = sync.kiosk_id) -> None:
            if change.kind == "status":
                stamp = time.monotonic()
                with lock:
                    sys.stdout.write(f"status {change.version} {kiosk} {stamp:.6f}\n")
                    sys.stdout.flush()

        sync.add_listener(on_change)
        sync.start()
        syncs.append(sync)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(s.call(lambda c: len(c.providers())) == 4 for s in syncs):
        time.sleep(0.05)
    with lock:
        print("ready", flush=True)
    sys.stdin.read()
    for sync in syncs:
        sync.stop()


if __name__ == "__main__":
    main()
