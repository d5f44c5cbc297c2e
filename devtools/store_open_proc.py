"""A process that opens a hub store the way `kiosk hub run` and `kiosk hub intake` do at
start (``HubStore.open`` with the store's key beside it), for the concurrent-start tests.

Prints ``ready`` once imported, opens on a line from stdin (so that several start at
the same instant), then prints ``ok <schema version>`` or ``error <what>``."""

from __future__ import annotations

import sys
from pathlib import Path

from hub.store import HubStore
from sync.sqlite import schema_version
from sync.vault import KeySource


def main(path: str, keyed: str) -> int:
    db = Path(path)
    key = KeySource(plain=True)
    if keyed == "keyed":
        key = KeySource(file=db.parent / "store.key", what="hub store key")
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        store = HubStore.open(db, key=key)
        version = schema_version(store.db)
        store.close()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which counts it
        print(f"error {type(exc).__name__}: {exc}", flush=True)
        return 1
    print(f"ok {version}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
