"""A hub restored from a backup, or reinstalled, starts a new epoch and the kiosks follow it
(docs/protocol.md, "Epochs"): real mosquitto, the hub and two kiosks as processes, the hub
SIGKILLed and started again on an older copy of its store (or on none).

Before epochs the restored hub's versions restarted below what kiosks held, and every later
change was "stale" on every kiosk. Now: within 2 s of the new hub's start every kiosk
follows its epoch and shows its state (versions lower than what they held), a change made
after the restore shows, and every check-in - recorded before the backup, after it (lost
with the old store), or while the hub was away - is at the hub exactly once.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.store import HubStore
from sync.vault import STORE_KEY_NAME, KeySource
from tests.support import procs
from tests.support.broker import Broker
from tests.support.site import wait_for

KIOSKS = ("lobby-1", "lobby-2")
# A ceiling for a busy machine. How fast kiosks follow (goal <= 2 s) is `make bench`'s
# epoch_follow_s (devtools/bench_epoch.py); the figure is printed here too.
PATIENCE_S = 60.0


class Site:
    def __init__(self, broker: Broker, root: Path) -> None:
        target = broker.settings()
        self.port, self.ca = target.port, target.ca_file if target.tls else ""
        self.root = root
        self.hub_dir = root / "site" / "hub"  # tests.support.hub_proc: STATE_DIR/hub/hub.sqlite
        self.hub = procs.hub(self.port, root / "site", self.ca)
        self.kiosks = {k: procs.kiosk(self.port, root / k, k, self.ca) for k in KIOSKS}
        self.keys: list[str] = []

    def status(self, kiosk: str, provider: str) -> list[str]:
        return self.kiosks[kiosk].ask(f"status? {provider}").split()[1:]  # version state epoch

    def epoch(self) -> str:
        return self.hub.ask("epoch?").split()[1]

    def showing(self, provider: str, version: int, state: str, epoch: str = "") -> bool:
        for kiosk in KIOSKS:
            shown = self.status(kiosk, provider)
            if shown[:2] != [str(version), state] or (epoch and shown[2] != epoch):
                return False
        return True

    def set(self, provider: str, state: str, delay: int = 0) -> int:
        answer = self.hub.ask(f"status {provider} {state} {delay}").split()
        assert answer[0] == "applied", answer
        return int(answer[1])

    def checkin(self, kiosk: str, appointment: str) -> None:
        key = f"epoch-{kiosk}-{appointment}"
        assert self.kiosks[kiosk].ask(f"checkin {appointment} {key}") == f"committed {key}"
        self.keys.append(key)

    def settled(self) -> bool:
        return all(k.ask("outbox?") == "outbox 0 0" for k in self.kiosks.values())

    def backup(self, into: Path) -> None:
        """A copy of the running hub's files (store, its WAL, its key) as a backup takes them."""
        into.mkdir()
        for name in ("hub.sqlite", "hub.sqlite-wal", STORE_KEY_NAME):
            if (self.hub_dir / name).exists():
                shutil.copy2(self.hub_dir / name, into / name)

    def restart_hub(self, backup: Path | None) -> float:
        """SIGKILL the hub, put ``backup`` in its place (None: a reinstalled hub, no store),
        start it again; the monotonic time it said ready."""
        self.hub.kill()
        shutil.rmtree(self.hub_dir)
        if backup is not None:
            shutil.copytree(backup, self.hub_dir)
        self.hub = procs.hub(self.port, self.root / "site", self.ca)
        return time.monotonic()

    def close(self) -> None:
        for proc in [*self.kiosks.values(), self.hub]:
            proc.close()

    def recorded(self) -> tuple[list[str], list[object]]:
        """The hub's check-in keys and why each of its epochs began (hub stopped)."""
        store = HubStore.open(self.hub_dir / "hub.sqlite", key=KeySource(file=self.hub_dir / STORE_KEY_NAME))
        try:
            return [str(row["key"]) for row in store.checkins()], [e["reason"] for e in store.epochs.all()]
        finally:
            store.close()


@pytest.fixture
def site(broker: Broker, tmp_path: Path) -> Iterator[Site]:
    s = Site(broker, tmp_path)
    try:
        yield s
    finally:
        s.close()


def _morning(site: Site) -> str:
    """Statuses and check-ins made before the backup; the first epoch."""
    wait_for(
        lambda: all(k.ask("appointments?") != "appointments 0" for k in site.kiosks.values()), what="days"
    )
    site.set("chen", "late", 10)
    site.checkin("lobby-1", "mar-0001")
    site.checkin("lobby-2", "che-0001")
    epoch = site.epoch()
    wait_for(lambda: site.showing("chen", 1, "late", epoch) and site.settled(), what="the first change")
    return epoch


def _after_backup(site: Site) -> None:
    """What the backup will not have: two changes, two check-ins the hub acknowledged."""
    assert site.set("chen", "late", 20) == 2
    assert site.set("martinez", "out") == 1
    site.checkin("lobby-1", "mar-0002")
    site.checkin("lobby-2", "che-0002")
    wait_for(lambda: site.showing("chen", 2, "late") and site.showing("martinez", 1, "out"), what="changes")
    wait_for(site.settled, what="check-ins acknowledged")


def _follow(site: Site, old_epoch: str, started: float, expect: dict[str, tuple[int, str]]) -> float:
    """Seconds from the new hub's start until every kiosk shows ``expect`` in its new epoch."""
    wait_for(lambda: site.epoch() != old_epoch, timeout=PATIENCE_S, what="a new hub epoch")
    new = site.epoch()
    wait_for(
        lambda: all(site.showing(p, v, s, new) for p, (v, s) in expect.items()),
        timeout=PATIENCE_S,
        what="the kiosks to follow the new epoch",
    )
    return time.monotonic() - started


def _then(site: Site, epoch_checkins: int) -> list[object]:
    """A change after the restore shows; every check-in is at the hub once."""
    version = site.set("chen", "out")
    wait_for(
        lambda: site.showing("chen", version, "out"), timeout=PATIENCE_S, what="a change after the restore"
    )
    wait_for(
        lambda: site.settled() and site.hub.ask("checkins?") == f"checkins {epoch_checkins}", what="check-ins"
    )
    site.hub.close()
    recorded, reasons = site.recorded()
    assert sorted(recorded) == sorted(site.keys)  # every one, once (the key is the table's key)
    return reasons


def test_a_hub_restored_from_a_backup_starts_a_new_epoch_the_kiosks_follow(
    site: Site, tmp_path: Path
) -> None:
    first = _morning(site)
    site.backup(tmp_path / "backup")
    _after_backup(site)
    started = site.restart_hub(tmp_path / "backup")
    site.checkin("lobby-2", "che-0003")  # while the hub is starting: queued, then sent
    # The backup knows chen late 10 (v1) and no status for martinez: lower than the kiosks hold.
    took = _follow(site, first, started, {"chen": (1, "late"), "martinez": (0, "on_time")})
    print(f"epoch_follow_s {took:.3f}")
    # It read its own retained status back: version 2 of its epoch, which it never issued.
    assert _then(site, 5) == ["created", "unissued_version"]


def test_a_reinstalled_hub_starts_a_new_epoch_the_kiosks_follow(site: Site) -> None:
    first = _morning(site)
    _after_backup(site)
    started = site.restart_hub(None)
    site.checkin("lobby-1", "mar-0003")
    took = _follow(site, first, started, {"chen": (0, "on_time"), "martinez": (0, "on_time")})
    print(f"epoch_follow_s {took:.3f}")
    assert _then(site, 5) == ["created"]  # its own, newer than the old store's
