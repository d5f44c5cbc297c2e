"""A practice in processes for crash tests and the soak (``python -m devtools.soak``): a
broker, a hub process and kiosk processes checking patients in, with helpers to SIGKILL
the broker and the hub at chosen moments and to check that nothing was lost or doubled."""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

from devtools.local_broker import Broker
from hub.sample import sample_morning
from hub.store import HubStore
from sync.cache import KioskCache
from sync.sqlite import integrity_ok
from tests.support import procs
from tests.support.clock import wall_today
from tests.support.site import wait_for

KIOSKS = ("lobby-1", "lobby-2", "lobby-3")
APPOINTMENTS = [a.id for a in sample_morning(wall_today()).appointments]


class Practice:
    """A broker, a hub process and kiosk processes; check-ins driven from here."""

    def __init__(self, broker: Broker, state: Path, seed: int) -> None:
        self.broker = broker
        self.state = state
        self.rng = random.Random(seed)
        self.hub: procs.Proc | None = procs.hub(broker.port, state, broker.ca_file)
        self.kiosks = {k: procs.kiosk(broker.port, state / k, k, broker.ca_file) for k in KIOSKS}
        self.committed: list[str] = []
        self.events: list[str] = []
        self._lock = threading.Lock()  # the hub process is replaced by the chaos thread
        for name, kiosk in self.kiosks.items():
            wait_for(functools.partial(_holds_the_day, kiosk), timeout=30, what=f"{name} to hold the day")

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
        self.stop_hub_hard()
        self.events.append(f"hub down {down_s:.2f}s")
        time.sleep(down_s)
        self.start_hub()

    def stop_hub_hard(self) -> None:
        """SIGKILL the hub (it stays away until ``start_hub``)."""
        with self._lock:
            if self.hub is not None:
                self.hub.kill()
                self.hub = None

    def start_hub(self) -> None:
        with self._lock:
            if self.hub is None:
                self.hub = procs.hub(self.broker.port, self.state, self.broker.ca_file)

    def drained(self) -> bool:
        return all(k.ask("outbox?") == "outbox 0 0" for k in self.kiosks.values())

    def finish(self, drain_timeout: float = 60.0) -> tuple[list[str], list[Path]]:
        """Wait until every outbox is empty, stop everything cleanly; the hub's keys."""
        wait_for(self.drained, timeout=drain_timeout, what=f"every outbox to empty after {self.events}")
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


def _holds_the_day(kiosk: procs.Proc) -> bool:
    return kiosk.ask("appointments?") == f"appointments {len(APPOINTMENTS)}"


def assert_exactly_once(practice: Practice, drain_timeout: float = 60.0) -> None:
    recorded, caches = practice.finish(drain_timeout)
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
