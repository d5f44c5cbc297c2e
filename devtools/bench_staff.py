"""Benchmark of the staff path: a status change confirmed on kiosk A's admin panel →
through A's outbox, the broker, the hub's role check and audit → displayed on kiosk B
(``cross_kiosk_change_ms``)."""

from __future__ import annotations

import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from config.settings import StaffSettings
from core.clock import SystemClock
from devtools.bench import percentiles
from devtools.bench_sync import bench_settings
from devtools.local_broker import Broker
from domain.admin import AdminSession
from domain.staff import hash_secret
from hub.sample import sample_morning
from hub.service import HubService
from sync.kiosk_sync import KioskSync, SyncChange


def run_bench(quick: bool) -> dict[str, Any]:
    staff = StaffSettings(members={"ana": f"supervisor:{hash_secret('482913')}"})
    changes = 10 if quick else 50
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-staff-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        hub = HubService(bench_settings(broker.port, state, "hub", staff))
        a = KioskSync(bench_settings(broker.port, state, "lobby-a", staff))
        b = KioskSync(bench_settings(broker.port, state, "lobby-b", staff))
        seen: dict[int, float] = {}
        arrived = threading.Event()

        def on_b(change: SyncChange) -> None:
            if change.kind == "status" and change.provider_id == "chen":
                seen[change.version] = time.perf_counter()
                arrived.set()

        b.add_listener(on_b)
        try:
            hub.start(sample_morning(date.today()))
            a.start()
            b.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (a.is_live() and b.is_live()):
                time.sleep(0.05)
            panel = AdminSession(staff, "lobby-a", SystemClock(), a.submit)
            panel.login_pin("482913")
            day = a.call(lambda c: c.appointments_for("chen"))
            samples = []
            for n in range(changes):
                proposal = panel.propose("chen", "Dr. Wei Chen", "late", day, delay_min=5 + n)
                arrived.clear()
                sent = time.perf_counter()
                panel.confirm(proposal)
                if arrived.wait(5):
                    samples.append((max(seen.values()) - sent) * 1000)
                time.sleep(0.05)
            return {
                "cross_kiosk_change_ms": {**percentiles(samples), "changes": changes, "arrived": len(samples)}
            }
        finally:
            a.stop()
            b.stop()
            hub.stop()
            broker.stop()
