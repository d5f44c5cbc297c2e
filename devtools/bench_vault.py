"""``encryption_overhead``: what SQLCipher costs the kiosk, measured plain and encrypted in
the same run on the same machine (figures on a shared machine are noisy; the ratio less so).

- ``lookup``: date-of-birth (+ letters) lookups on a 5,000-appointment day (as ``lookup_ms``).
- ``replay``: a backlog of check-ins queued offline, replayed to a real hub through a real
  mosquitto until every row is acknowledged (as ``outbox_replay``, smaller).
- ``open_ms``: opening the cache (key proved, schema checked).

Each ratio is encrypted / plain (1.0: no cost).
"""

from __future__ import annotations

import dataclasses
import random
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from core.clock import SystemClock
from devtools.bench import percentiles
from devtools.bench_support import wait_for
from devtools.bench_sync import _AckCounter, bench_settings
from devtools.local_broker import Broker
from domain.lookup import find_by_dob
from hub.sample import sample_morning
from hub.service import HubService
from sync import messages as m
from sync.cache import KioskCache
from sync.kiosk_sync import KioskSync
from sync.outbox import Outbox
from sync.sqlite import transaction
from sync.topics import TopicTree
from sync.vault import KeySource, default_key_source
from sync.wire import encode


def _key(path: Path, encrypted: bool) -> KeySource:
    return default_key_source(path) if encrypted else KeySource(plain=True)


def _lookup(path: Path, encrypted: bool, lookups: int) -> dict[str, float]:
    plan = sample_morning(SystemClock().now().date(), per_provider=1250)
    cache = KioskCache.open(path, _key(path, encrypted))
    for pid, name in plan.providers.items():
        appts = [a.to_wire() for a in plan.appointments if a.provider_id == pid]
        cache.apply_schedule(m.ProviderSchedule(pid, name, plan.date, 1, appts), "now")
    cache.close()
    opens = []
    for _ in range(20):
        started = time.perf_counter()
        KioskCache.open(path, _key(path, encrypted)).close()
        opens.append((time.perf_counter() - started) * 1000)
    cache = KioskCache.open(path, _key(path, encrypted))
    rng = random.Random(5)
    samples = []
    for _ in range(lookups):
        appt = rng.choice(plan.appointments)
        digits = datetime.fromisoformat(appt.dob).strftime("%m%d%Y")
        letters = appt.last_name[:2] if rng.random() < 0.5 else ""
        started = time.perf_counter()
        find_by_dob(cache, digits, letters)
        samples.append((time.perf_counter() - started) * 1000)
    cache.close()
    return {**percentiles(samples), "open_ms": percentiles(opens)["p50"]}


def _replay(state: Path, encrypted: bool, count: int) -> float:
    broker = Broker(state / "broker")
    broker.start()
    hub = HubService(bench_settings(broker.port, state, "hub-vault"))
    plan = sample_morning(SystemClock().now().date())
    hub.start(plan)
    base = bench_settings(broker.port, state, "vault")
    settings = dataclasses.replace(base, kiosk=dataclasses.replace(base.kiosk, encrypt_cache=encrypted))
    path = Path(settings.kiosk.state_dir) / "kiosk.sqlite"
    cache = KioskCache.open(path, _key(path, encrypted))
    box, tree = Outbox(cache.db), TopicTree("bench", "main")
    with transaction(cache.db):
        for i in range(count):
            appt = plan.appointments[i % len(plan.appointments)]
            msg = m.CheckIn(uuid.uuid4().hex, "vault", appt.id, appt.provider_id, appt.start, "dob")
            box.add(msg.key, "checkin", tree.checkin("vault"), encode(msg), SystemClock().now().isoformat())
    cache.close()
    kiosk = KioskSync(settings)
    acked = _AckCounter()
    kiosk.add_listener(acked)
    try:
        started = time.perf_counter()
        kiosk.start()
        wait_for(lambda: acked.count >= count, 120)
        return (acked.last or time.perf_counter()) - started
    finally:
        kiosk.stop()
        hub.stop()
        broker.stop()


def _ratio(encrypted: float, plain: float) -> float:
    return round(encrypted / plain, 3) if plain else float("nan")


def run_bench(quick: bool) -> dict[str, Any]:
    lookups, count = (300, 500) if quick else (3000, 3000)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-vault-") as tmp:
        state = Path(tmp)
        look = {
            kind: _lookup(state / kind / "lookup.sqlite", kind == "encrypted", lookups)
            for kind in ("plain", "encrypted")
        }
        replay = {
            kind: _replay(state / f"replay-{kind}", kind == "encrypted", count)
            for kind in ("plain", "encrypted")
        }
    return {
        "encryption_overhead": {
            "lookup_p50_ratio": _ratio(look["encrypted"]["p50"], look["plain"]["p50"]),
            "lookup_p99_ratio": _ratio(look["encrypted"]["p99"], look["plain"]["p99"]),
            "lookup_ms": look,
            "replay_ratio": _ratio(replay["encrypted"], replay["plain"]),
            "replay_s": {k: round(v, 3) for k, v in replay.items()},
            "replay_count": count,
        }
    }
