"""Benchmarks of the staff path.

* ``staff_signin_ms``: a sign-in on the pad (member picked, then the PIN) with 60 members at
  the shipped scrypt cost: one derivation whoever signs in; and that derivation's own cost.
* ``cross_kiosk_change_ms``: a status change confirmed on kiosk A's admin panel → through
  A's outbox, the broker, the hub's proof and role check and audit → displayed on kiosk B.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from config.settings import StaffSettings
from core.clock import SystemClock
from devtools.bench import percentiles
from devtools.bench_sync import bench_settings
from devtools.local_broker import Broker
from domain.admin import AdminSession
from domain.staff import SCRYPT_N, SCRYPT_P, SCRYPT_R, Stretch, member_salt, provision_member
from hub.sample import sample_morning
from hub.service import HubService
from sync.kiosk_sync import KioskSync, SyncChange

SIGNIN_MEMBERS = 60


def bench_signin(quick: bool) -> dict[str, Any]:
    entries = {
        f"m{i:02d}": provision_member("bench", f"m{i:02d}", "front_desk", f"{482910 + 7 * i}")
        for i in range(SIGNIN_MEMBERS)
    }
    staff = StaffSettings(members={who: kiosk for who, (kiosk, _hub) in entries.items()})
    session = AdminSession(staff, "lobby-a", SystemClock(), lambda _msg: None)
    rng = random.Random(7)
    samples = []
    for _ in range(20 if quick else 100):
        i = rng.randrange(SIGNIN_MEMBERS)
        start = time.perf_counter()
        outcome = session.login_pin(f"m{i:02d}", f"{482910 + 7 * i}")
        samples.append((time.perf_counter() - start) * 1000)
        if outcome != "ok":
            raise RuntimeError(f"bench sign-in failed: {outcome}")
        session.logout()
    stretch = Stretch(SCRYPT_N, SCRYPT_R, SCRYPT_P, member_salt("bench", "m00", "pin"))
    derivations = []
    for _ in range(10):
        start = time.perf_counter()
        stretch.derive("482910")
        derivations.append((time.perf_counter() - start) * 1000)
    return {
        "staff_signin_ms": {
            **percentiles(samples),
            "members": SIGNIN_MEMBERS,
            "derivation_ms": percentiles(derivations)["p50"],
            "scrypt": f"N={SCRYPT_N} r={SCRYPT_R} p={SCRYPT_P}",
        }
    }


def run_bench(quick: bool) -> dict[str, Any]:
    return {**bench_signin(quick), **bench_cross_kiosk(quick)}


def bench_cross_kiosk(quick: bool) -> dict[str, Any]:
    kiosk_entry, hub_entry = provision_member("acme", "ana", "supervisor", "482913")
    staff = StaffSettings(members={"ana": kiosk_entry})
    hub_staff = StaffSettings(members={"ana": hub_entry})
    changes = 10 if quick else 50
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-staff-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        hub = HubService(bench_settings(broker.port, state, "hub", hub_staff))
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
            hub.start(sample_morning(SystemClock().now().date()))
            a.start()
            b.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (a.is_live() and b.is_live()):
                time.sleep(0.05)
            panel = AdminSession(staff, "lobby-a", SystemClock(), a.submit)
            panel.login_pin("ana", "482913")
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
