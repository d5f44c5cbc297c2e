"""Kiosks (as processes) check patients in steadily while the broker is SIGKILLed and
restarted at random moments, and the hub is SIGKILLed too, or away for a while: every
check-in a kiosk committed reaches the hub exactly once, every outbox empties, and every
database passes ``PRAGMA integrity_check``.

The broker saves its memory only every few minutes (as a practice's would), so each kill
erases what it held: the hub's acknowledgement, not the broker's PUBACK, is what lets a
kiosk forget a check-in. Downtimes are scaled to keep ``make test`` short;
``python -m devtools.soak`` runs the same story for longer.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from hub.sample import sample_morning
from hub.store import HubStore
from sync.cache import KioskCache
from sync.sqlite import integrity_ok
from tests.support import procs
from tests.support.broker import Broker
from tests.support.site import wait_for

KIOSKS = ("lobby-1", "lobby-2", "lobby-3")
APPOINTMENTS = [a.id for a in sample_morning(date.today()).appointments]


class Practice:
    """A broker, a hub process and kiosk processes; check-ins driven from here."""

    def __init__(self, broker: Broker, state: Path, seed: int) -> None:
        self.broker = broker
        self.state = state
        self.rng = random.Random(seed)
        self.hub: procs.Proc | None = procs.hub(broker.port, state)
        self.kiosks = {k: procs.kiosk(broker.port, state / k, k) for k in KIOSKS}
        self.committed: list[str] = []
        self.events: list[str] = []
        self._lock = threading.Lock()  # the hub process is replaced by the chaos thread
        for name, kiosk in self.kiosks.items():
            wait_for(
                lambda k=kiosk: k.ask("appointments?") == f"appointments {len(APPOINTMENTS)}",
                timeout=30,
                what=f"{name} to hold the day",
            )

    def check_in_while(self, chaos: Callable[[], None]) -> None:
        """Check in round-robin on every kiosk until ``chaos`` (run beside) is over."""
        errors: list[BaseException] = []

        def run() -> None:
            try:
                chaos()
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=run, name="chaos")
        thread.start()
        n = 0
        while thread.is_alive():
            for name, kiosk in self.kiosks.items():
                key = f"{name}-{n:06d}-{self.rng.getrandbits(32):08x}"
                answer = kiosk.ask(f"checkin {APPOINTMENTS[n % len(APPOINTMENTS)]} {key}")
                assert answer == f"committed {key}", answer
                self.committed.append(key)
            n += 1
            time.sleep(0.03)
        thread.join()
        if errors:
            raise errors[0]

    def kill_broker(self, down_s: float) -> None:
        self.broker.kill()
        self.events.append(f"broker down {down_s:.2f}s")
        time.sleep(down_s)
        self.broker.start()

    def kill_hub(self, down_s: float) -> None:
        with self._lock:
            if self.hub is not None:
                self.hub.kill()
                self.hub = None
        self.events.append(f"hub down {down_s:.2f}s")
        time.sleep(down_s)
        self.start_hub()

    def start_hub(self) -> None:
        with self._lock:
            if self.hub is None:
                self.hub = procs.hub(self.broker.port, self.state)

    def drained(self) -> bool:
        return all(k.ask("outbox?") == "outbox 0 0" for k in self.kiosks.values())

    def finish(self) -> tuple[list[str], list[Path]]:
        """Wait until every outbox is empty, stop everything cleanly; the hub's keys."""
        wait_for(self.drained, timeout=60, what=f"every outbox to empty after {self.events}")
        for kiosk in self.kiosks.values():
            kiosk.close()
        if self.hub is not None:
            self.hub.close()
        store = HubStore.open(self.state / "hub" / "hub.sqlite")
        try:
            assert integrity_ok(store.db)
            keys = [str(r["key"]) for r in store.checkins()]
        finally:
            store.close()
        return keys, [self.state / k / "kiosk.sqlite" for k in KIOSKS]

    def close(self) -> None:
        for proc in [*self.kiosks.values(), self.hub]:
            if proc is not None:
                proc.close(5)


def _assert_exactly_once(practice: Practice) -> None:
    recorded, caches = practice.finish()
    lost = set(practice.committed) - set(recorded)
    assert not lost, f"{len(lost)} of {len(practice.committed)} check-ins lost after {practice.events}"
    assert len(recorded) == len(set(recorded)) == len(practice.committed)  # 0 doubled, nothing foreign
    for path in caches:
        cache = KioskCache.open(path)
        try:
            assert integrity_ok(cache.db), path
            owed = cache.db.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]
            assert owed == 0, path
        finally:
            cache.close()


@pytest.fixture
def practice(broker: Broker, tmp_path: Path):
    seed = random.randrange(1 << 30)
    p = Practice(broker, tmp_path, seed)
    p.events.append(f"seed {seed}")
    yield p
    p.close()


def test_broker_and_hub_killed_at_random_moments_lose_nothing(practice: Practice) -> None:
    rng = practice.rng
    hub_kills_at = set(rng.sample(range(2, 20), 4))

    def chaos() -> None:
        for cycle in range(20):
            time.sleep(rng.uniform(0.2, 1.0))
            practice.kill_broker(rng.uniform(0.1, 0.7))
            if cycle in hub_kills_at:
                time.sleep(rng.uniform(0.0, 0.5))
                practice.kill_hub(rng.uniform(0.2, 1.0))

    practice.check_in_while(chaos)
    assert sum(e.startswith("broker down") for e in practice.events) == 20
    assert sum(e.startswith("hub down") for e in practice.events) == 4
    _assert_exactly_once(practice)


def test_broker_killed_while_the_hub_is_away_loses_nothing(practice: Practice) -> None:
    rng = practice.rng

    def chaos() -> None:
        time.sleep(1.0)
        with practice._lock:
            if practice.hub is not None:
                practice.hub.kill()
                practice.hub = None
        practice.events.append("hub away")
        for _ in range(5):  # the hub's queued session at the broker dies with each kill
            time.sleep(rng.uniform(0.5, 1.5))
            practice.kill_broker(rng.uniform(0.1, 0.7))
        time.sleep(1.0)
        practice.start_hub()
        practice.events.append("hub back")
        time.sleep(2.0)

    practice.check_in_while(chaos)
    _assert_exactly_once(practice)
