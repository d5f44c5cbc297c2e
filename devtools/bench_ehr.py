"""Benchmark of the EHR interface (hub/ehr/): SIU messages over real MLLP on loopback.

* ``siu_ingest_per_s``: messages a second, each stored with its effect (fsynced) before
  its AA is read by the sender, four sender connections at once (a practice system's
  interface engine often has several); ``siu_ingest_per_s_one_connection`` is one sender
  that waits for each ACK; ``siu_ingest_cpu_ms_per_msg`` is the hub process's CPU per
  message (1000 / it is what one free core could take). A month of bookings for two
  providers, a tenth of them today; the hub runs in its own process.
* ``siu_to_kiosk_ms``: an S14 sent → the kiosk's cache holds the changed schedule (real
  broker, hub and kiosk sync), one change at a time (p50/p99).
* ``fhir_poll_lag_s``: an Appointment changed on a real FHIR server (Medplum's router,
  tests/support/fhir_server) → the kiosk's cache holds the change, polling every 2 s.
* ``siu_kill_*`` (not quick): 10,000 messages with the hub process SIGKILLed twice.
* ``ehr_property_msgs``: random S12-S26 sequences (orphans, MSH-7 out of order, repeats,
  missing optional fields, ADTs reusing an MSH-10) through the real listener to a kiosk on
  a real broker (10,000 messages; 1,000 quick); ``ehr_published_rejected``: published
  messages a kiosk's decoder refused or would refuse (must be 0; tests/support/siu_feed.py).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from hl7.mllp import open_hl7_connection

from devtools.bench import full_run, percentiles
from devtools.local_broker import Broker
from hub.ehr.acks import read_ack
from sync.kiosk_sync import KioskSync, SyncChange
from tests.support.broker import free_port
from tests.support.clock import wall_now
from tests.support.ehr_soak import hub_process, soak
from tests.support.site import site_settings
from tests.support.siu import EhrHub, Siu, ehr_settings
from tests.support.siu_feed import run_property

_PROVIDERS = {f"D{i}": f"prov{i}" for i in range(10)}


def _month(count: int, prefix: str) -> list[bytes]:
    start = wall_now().replace(hour=8, minute=0, second=0, microsecond=0)
    frames = []
    for i in range(count):
        day = 0 if i % 10 == 0 else 1 + i % 29
        when = start + timedelta(days=day, minutes=15 * ((i // 10) % 36))
        frames.append(
            Siu(
                f"{prefix}{i:06d}",
                appointment_id=f"{prefix}{i:06d}",
                start=when,
                provider=f"D{1 + i % 2}",
                sent=start,
            ).bytes()
        )
    return frames


async def _sender(port: int, frames: list[bytes]) -> int:
    reader, writer = await open_hl7_connection("127.0.0.1", port)
    accepted = 0
    try:
        for frame in frames:
            writer.writeblock(frame)
            await writer.drain()
            accepted += read_ack(await reader.readblock()).code == "AA"
    finally:
        writer.close()
    return accepted


def _ingest(state: Path, count: int, connections: int) -> tuple[float, float]:
    """Messages a second, and the hub process's CPU (user + system) per message in ms: on
    a shared machine the rate follows the load, the CPU cost much less so. The hub runs in
    its own process (as in production: the senders' work is not its)."""
    port = free_port()
    hub = hub_process(state, port)
    try:
        frames = _month(count, "I")
        shares = [frames[i::connections] for i in range(connections)]

        async def run() -> int:
            return sum(await asyncio.gather(*(_sender(port, share) for share in shares)))

        cpu_before = _cpu_s(hub.proc.pid)
        began = time.perf_counter()
        accepted = asyncio.run(run())
        elapsed = time.perf_counter() - began
        cpu = _cpu_s(hub.proc.pid) - cpu_before
    finally:
        hub.close()
    if accepted != count:
        raise RuntimeError(f"{count - accepted} messages not accepted")
    return round(count / elapsed, 1), round(cpu / count * 1000, 3)


def _cpu_s(pid: int) -> float:
    """utime + stime of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _to_kiosk(state: Path, changes: int) -> dict[str, float]:
    broker = Broker(state / "broker")
    broker.start()
    site = EhrHub(ehr_settings(state / "hubside", broker=broker.settings(), providers=_PROVIDERS))
    sync = KioskSync(site_settings(broker.settings(), state / "kiosk", "lobby-1"))
    seen = threading.Event()
    sync.add_listener(lambda change: seen.set() if _schedule_of(change, "prov1") else None)
    sync.start()
    samples: list[float] = []
    try:
        start = wall_now().replace(second=0, microsecond=0) + timedelta(minutes=5)
        day = [
            Siu(f"T{i:04d}", appointment_id=f"T{i:04d}", provider="D1", start=start + timedelta(minutes=i))
            for i in range(30)
        ]

        async def book() -> None:
            for msg in day:
                await _sender(site.port, [msg.bytes()])

        asyncio.run(book())
        time.sleep(1.0)  # the kiosk holds the day before the timing starts
        for i in range(changes):
            moved = Siu(
                f"M{i:05d}",
                "S14",
                appointment_id=f"T{i % 30:04d}",
                provider="D1",
                start=start + timedelta(minutes=60 + i % 120),
                sent=wall_now() + timedelta(seconds=i),
            )
            seen.clear()
            began = time.perf_counter()
            asyncio.run(_sender(site.port, [moved.bytes()]))
            if seen.wait(5):
                samples.append((time.perf_counter() - began) * 1000)
    finally:
        sync.stop()
        site.stop()
        broker.stop()
    return percentiles(samples)


def _fhir_lag(state: Path, changes: int) -> dict[str, float]:
    from dataclasses import replace

    from config.settings import HubEhrSettings, HubFhirSettings
    from hub.ehr.fhir import FhirPoller
    from hub.service import HubService
    from tests.support.fhir import FhirServer, appointment, patient, practitioner

    server = FhirServer()
    broker = Broker(state / "broker")
    broker.start()
    doctor = server.create(practitioner())
    mary = server.create(patient())
    base = ehr_settings(state / "hubside", broker=broker.settings())
    fhir = HubFhirSettings(enabled=True, url=server.url, poll_s=2.0, providers={doctor["id"]: "prov1"})
    hub = HubService(replace(base, hub=replace(base.hub, ehr=HubEhrSettings(), fhir=fhir)))
    hub.start(None)
    poller = FhirPoller(hub.settings, hub)
    poller.start()
    sync = KioskSync(site_settings(broker.settings(), state / "kiosk", "lobby-1"))
    sync.start()
    samples: list[float] = []
    rng = random.Random(14)
    try:
        when = wall_now().replace(second=0, microsecond=0) + timedelta(minutes=30)
        appt = server.create(appointment(mary["id"], doctor["id"], when.astimezone().isoformat()))
        ident = str(appt["id"])
        for i in range(changes):
            moved = when + timedelta(minutes=1 + i)
            local = moved.strftime("%Y-%m-%dT%H:%M")
            time.sleep(rng.uniform(0, fhir.poll_s))  # a change comes at any moment of a poll interval
            appt = server.update({**appt, "start": moved.astimezone().isoformat()})
            began = time.perf_counter()
            while time.perf_counter() - began < 10:
                held = sync.call(lambda cache: cache.appointment(ident))
                if held is not None and held.start == local:
                    samples.append(time.perf_counter() - began)
                    break
                time.sleep(0.02)
    finally:
        sync.stop()
        poller.stop()
        hub.stop()
        broker.stop()
        server.stop()
    return percentiles(samples)


def _schedule_of(change: SyncChange, provider_id: str) -> bool:
    return change.kind == "schedule" and change.provider_id == provider_id


def run_bench(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-ehr-") as tmp:
        state = Path(tmp)
        count = 600 if quick else 3000
        four, four_cpu = _ingest(state / "four", count, 4)
        one, one_cpu = _ingest(state / "one", count // 2, 1)
        out: dict[str, Any] = {
            "siu_ingest_per_s": four,
            "siu_ingest_cpu_ms_per_msg": four_cpu,
            "siu_ingest_per_s_one_connection": one,
            "siu_ingest_cpu_ms_per_msg_one_connection": one_cpu,
            "siu_to_kiosk_ms": _to_kiosk(state / "kiosk", 50 if quick else 300),
            "fhir_poll_lag_s": _fhir_lag(state / "fhir", 5 if quick else 20),
            **run_property(state / "property", 1_000 if quick else 10_000),
        }
        if not quick:
            # Both kills land in 3,000 messages as in 10,000 (``--full``); siu_kill_appointments
            # says how many were sent.
            figures = soak(state / "kill", messages=10_000 if full_run() else 3_000, kills=2)
            out.update({f"siu_kill_{name}": n for name, n in figures.items()})
    return out


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_bench("--quick" in sys.argv)))
