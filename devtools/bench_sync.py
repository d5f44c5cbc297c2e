"""Benchmarks of the spine on loopback with a private mosquitto:

- ``status_propagation_ms``: the hub applies a status change → committed in each of 20
  kiosks' caches and their listeners notified;
- ``display_ack_ms``: the same change → the hub knows all 20 kiosks display it;
- ``outbox_replay``: 10,000 check-ins queued during an outage → all acknowledged by the
  hub back at the kiosk (its outbox empty); ``seconds_to_hub`` is when the hub had them,
  ``cpu_seconds`` the kiosk's and hub's CPU for it (they share this process);
- ``checkin_to_hub_ack_ms``: one check-in committed at a kiosk → the hub's
  acknowledgement applied at that kiosk (the row has left its outbox);
- ``lookup_ms``: date-of-birth (+ letters) lookup on a 5,000-appointment day.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from config.settings import BrokerSettings, HubSettings, KioskSettings, Settings, StaffSettings
from core.clock import SystemClock
from core.worker import Worker
from devtools.bench import percentiles
from devtools.bench_support import wait_for
from devtools.local_broker import Broker
from domain.lookup import find_by_dob
from hub.sample import sample_morning
from hub.service import HubService
from sync import messages as m
from sync.cache import KioskCache
from sync.kiosk_sync import KioskSync, SyncChange
from sync.outbox import Outbox
from sync.sqlite import transaction
from sync.topics import TopicTree
from sync.wire import encode


def bench_settings(
    port: int, state: Path, kiosk_id: str, staff: StaffSettings | None = None, ca_file: str = ""
) -> Settings:
    """With ``ca_file``, over TLS to ``localhost`` (what a TLS ``Broker`` certifies)."""
    return Settings(
        kiosk=KioskSettings(
            id=kiosk_id,
            practice="bench",
            site="main",
            state_dir=str(state / kiosk_id),
            health_interval_s=60,
            log_level="WARNING",
        ),
        broker=BrokerSettings(
            host="localhost" if ca_file else "127.0.0.1",
            port=port,
            ca_file=ca_file,
            reconnect_min_s=0.1,
            reconnect_max_s=0.5,
        ),
        hub=HubSettings(state_dir=str(state / "hub")),
        staff=staff or StaffSettings(),
    )



def _request(provider: str, delay: int) -> m.StatusChangeRequest:
    return m.StatusChangeRequest(
        uuid.uuid4().hex,
        "cli",
        provider,
        "late",
        "bench",
        SystemClock().now().strftime("%Y-%m-%dT%H:%M"),
        delay_min=delay,
    )


class _KioskProcesses:
    """Kiosks in worker processes (``devtools.bench_kiosks``); collects their status arrivals."""

    def __init__(self, port: int, state: Path, kiosks: int, processes: int, ca_file: str = "") -> None:
        self.arrivals: dict[int, list[float]] = {}
        self._lock = threading.Lock()
        self._procs: list[subprocess.Popen[str]] = []
        self._ready: list[threading.Event] = []
        self._readers: list[Worker] = []  # one per process: reading its stdout is its only item
        per = -(-kiosks // processes)
        for first in range(0, kiosks, per):
            args = [str(port), str(state), str(first), str(min(per, kiosks - first))]
            args += [ca_file] if ca_file else []
            proc = subprocess.Popen(
                [sys.executable, "-m", "devtools.bench_kiosks", *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            ready = threading.Event()
            reader = Worker(f"bench-kiosks-{first}", stall_s=float("inf"))
            reader.start()
            reader.post(self._read, proc, ready)
            self._readers.append(reader)
            self._procs.append(proc)
            self._ready.append(ready)

    def wait_ready(self, timeout: float) -> None:
        for ready in self._ready:
            ready.wait(timeout)

    def count(self, version: int) -> int:
        with self._lock:
            return len(self.arrivals.get(version, []))

    def _read(self, proc: subprocess.Popen[str], ready: threading.Event) -> None:
        if proc.stdout is None:
            raise RuntimeError("the bench subscriber was started without stdout=PIPE")
        for line in proc.stdout:
            parts = line.split()
            if parts == ["ready"]:
                ready.set()
            elif parts[:1] == ["status"]:
                with self._lock:
                    self.arrivals.setdefault(int(parts[1]), []).append(float(parts[3]))

    def close(self) -> None:
        for proc in self._procs:
            if proc.stdin:
                proc.stdin.close()
        for proc in self._procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
            if proc.stdout:
                proc.stdout.close()
        for reader in self._readers:
            reader.stop(timeout=5)


def bench_propagation(
    state: Path, kiosks: int = 20, changes: int = 40, processes: int = 4, tls: bool = False
) -> dict[str, Any]:
    """Kiosks run in ``processes`` worker processes (each real kiosk has its own CPU); the
    hub runs here. Times are CLOCK_MONOTONIC, which all processes share."""
    broker = Broker(state / "broker", tls=tls)
    broker.start()
    hub = HubService(bench_settings(broker.port, state, "hub", ca_file=broker.ca_file))
    acks: dict[int, set[str]] = {}
    acked_all: dict[int, float] = {}

    def on_hub(event: str, msg: Any) -> None:
        if event == "display":
            version = msg.versions.get("chen", 0)
            acks.setdefault(version, set()).add(msg.kiosk_id)
            if len(acks[version]) == kiosks and version not in acked_all:
                acked_all[version] = time.monotonic()

    hub.add_listener(on_hub)
    hub.start(sample_morning(SystemClock().now().date()))
    workers = _KioskProcesses(broker.port, state, kiosks, processes, broker.ca_file)
    try:
        workers.wait_ready(90)
        time.sleep(0.5)
        prop, ack = [], []
        for n in range(changes):
            sent = time.monotonic()
            version = hub.set_status(_request("chen", 5 + n)).status_version
            wait_for(lambda v=version: workers.count(v) == kiosks and v in acked_all, 10)
            prop += [(t - sent) * 1000 for t in workers.arrivals.get(version, [])]
            if version in acked_all:
                ack.append((acked_all[version] - sent) * 1000)
            time.sleep(0.05)
        return {
            "status_propagation_ms": {
                **percentiles(prop),
                "kiosks": kiosks,
                "changes": changes,
                "processes": processes,
            },
            "display_ack_ms": {**percentiles(ack), "kiosks": kiosks, "complete": len(ack)},
        }
    finally:
        workers.close()
        hub.stop()
        broker.stop()


def bench_outbox_replay(state: Path, count: int = 10_000, tls: bool = False) -> dict[str, Any]:
    broker = Broker(state / "broker-replay", tls=tls)
    broker.start()
    hub = HubService(bench_settings(broker.port, state, "hub-replay", ca_file=broker.ca_file))
    plan = sample_morning(SystemClock().now().date())
    hub.start(plan)
    settings = bench_settings(broker.port, state, "replay", ca_file=broker.ca_file)
    tree = TopicTree("bench", "main")
    # Queue the backlog as an offline kiosk would have: committed, never published.
    cache = KioskCache.open(Path(settings.kiosk.state_dir) / "kiosk.sqlite")
    box = Outbox(cache.db)
    keys = [uuid.uuid4().hex for _ in range(count)]
    cache.db.execute("PRAGMA synchronous=FULL")
    with transaction(cache.db):
        for i, key in enumerate(keys):
            appt = plan.appointments[i % len(plan.appointments)]
            msg = m.CheckIn(key, "replay", appt.id, appt.provider_id, appt.start, "dob")
            box.add(key, "checkin", tree.checkin("replay"), encode(msg), SystemClock().now().isoformat())
    cache.close()
    kiosk = KioskSync(settings)
    acked = _AckCounter()
    kiosk.add_listener(acked)
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        kiosk.start()
        wait_for(lambda: hub.stats["checkins"] >= count, 120)
        to_hub = time.perf_counter() - started
        wait_for(lambda: acked.count >= count, 60)
        seconds = (acked.last or time.perf_counter()) - started
        cpu = time.process_time() - cpu_started
        recorded = {r["key"] for r in hub.call(lambda s: s.checkins())}
        return {
            "outbox_replay": {
                "count": count,
                "seconds": round(seconds, 3),
                "seconds_to_hub": round(to_hub, 3),
                # CPU of this process (kiosk and hub, every thread; not the broker's) for the
                # whole replay: what the figure costs whatever the machine's load.
                "cpu_seconds": round(cpu, 3),
                "acknowledged": acked.count,
                "resent": int(kiosk.call(lambda _c: kiosk.health().metrics.get("outbox_resent", 0))),
                "lost": len(set(keys) - recorded),
                "doubled": hub.stats["checkins"] - len(recorded),
                "redelivered_and_ignored": hub.stats["checkin_duplicates"],
                "left_in_outbox": kiosk.call(lambda _c: kiosk.outbox.depth()),
            }
        }
    finally:
        kiosk.stop()
        hub.stop()
        broker.stop()


class _AckCounter:
    """A kiosk listener: how many rows the hub has acknowledged, and when (perf_counter)."""

    def __init__(self) -> None:
        self.count = 0
        self.last: float | None = None
        self.at: dict[str, float] = {}

    def __call__(self, change: SyncChange) -> None:
        if change.kind == "outbox":
            now = time.perf_counter()
            self.count += len(change.keys)
            self.last = now
            for key in change.keys:
                self.at[key] = now


def bench_checkin_ack(state: Path, checkins: int = 500) -> dict[str, Any]:
    """Kiosk commit → the hub's acknowledgement back at the kiosk, one check-in at a time."""
    broker = Broker(state / "broker-ack")
    broker.start()
    hub = HubService(bench_settings(broker.port, state, "hub-ack"))
    plan = sample_morning(SystemClock().now().date())
    hub.start(plan)
    kiosk = KioskSync(bench_settings(broker.port, state, "ack"))
    acked = _AckCounter()
    kiosk.add_listener(acked)
    samples: list[float] = []
    try:
        kiosk.start()
        wait_for(kiosk.is_live, 30)
        for i in range(checkins):
            appt = plan.appointments[i % len(plan.appointments)]
            msg = m.CheckIn(uuid.uuid4().hex, "ack", appt.id, appt.provider_id, appt.start, "dob")
            kiosk.submit(msg)  # returns once the row is committed (synced) and handed to the link
            committed = time.perf_counter()
            if wait_for(lambda k=msg.key: k in acked.at, 5):
                samples.append((acked.at[msg.key] - committed) * 1000)
            time.sleep(0.01)
        return {
            "checkin_to_hub_ack_ms": {
                **percentiles(samples),
                "checkins": checkins,
                "acknowledged": len(samples),
            }
        }
    finally:
        kiosk.stop()
        hub.stop()
        broker.stop()


def bench_lookup(state: Path, lookups: int = 3000) -> dict[str, Any]:
    plan = sample_morning(SystemClock().now().date(), per_provider=1250)
    cache = KioskCache.open(state / "lookup.sqlite")
    for pid, name in plan.providers.items():
        appts = [a.to_wire() for a in plan.appointments if a.provider_id == pid]
        cache.apply_schedule(m.ProviderSchedule(pid, name, plan.date, 1, appts), "now")
    rng = random.Random(5)
    samples = []
    for _ in range(lookups):
        appt = rng.choice(plan.appointments)
        digits = datetime.fromisoformat(appt.dob).strftime("%m%d%Y")
        letters = appt.last_name[:2] if rng.random() < 0.5 else ""
        started = time.perf_counter()
        match = find_by_dob(cache, digits, letters)
        samples.append((time.perf_counter() - started) * 1000)
        if appt.id not in {a.id for a in match.appointments}:
            raise AssertionError("lookup missed an appointment")
    cache.close()
    return {"lookup_ms": {**percentiles(samples), "appointments": len(plan.appointments)}}


def run_bench(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        state = Path(tmp)
        out: dict[str, Any] = {}
        out.update(bench_propagation(state, kiosks=20, changes=10 if quick else 40))
        out.update(bench_outbox_replay(state, count=1000 if quick else 10_000))
        out.update(bench_checkin_ack(state, checkins=100 if quick else 1000))
        out.update(bench_lookup(state, lookups=300 if quick else 3000))
        return out
