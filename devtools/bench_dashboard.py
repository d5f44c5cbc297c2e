"""Benchmark of the dashboard: a status change at the hub → the event received by 20
connected event streams (``dashboard_push_ms``), and the board page served
(``dashboard_page_ms``). A real broker, hub and dashboard on loopback. The sign-in under
attack (``web_*``) is ``devtools.bench_signin``'s, merged here."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from config.settings import HubWebSettings, StaffSettings
from core.clock import SystemClock
from devtools.bench import percentiles
from devtools.bench_sync import bench_settings
from devtools.local_broker import Broker
from devtools.web_client import DashboardClient
from domain.staff import hash_secret
from hub.sample import sample_morning
from hub.service import HubService
from hub.status_command import build_request
from hub.web import DashboardServer
from hub.web.records import set_password

_STREAMS = 20
_PASSWORD = "bench-password-1"  # noqa: S105 - of a throwaway database


def run_bench(quick: bool) -> dict[str, Any]:
    staff = StaffSettings(members={"desk": f"front_desk:{hash_secret('0000')}"})
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-dash-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        settings = bench_settings(broker.port, state, "hub", staff)
        settings = replace(
            settings,
            hub=replace(
                settings.hub, web=HubWebSettings(enabled=True, port=0, max_streams_per_session=_STREAMS)
            ),
        )
        hub = HubService(settings)
        hub.start(sample_morning(SystemClock().now().date()))
        hub.call(lambda store: set_password(store, "desk", hash_secret(_PASSWORD), "bench"))
        dashboard = DashboardServer(settings, hub)
        dashboard.start()
        try:
            client = DashboardClient("127.0.0.1", dashboard.port)
            client.sign_in("desk", _PASSWORD)
            page_ms = _page_times(client, 60 if quick else 300)
            push_ms = asyncio.run(_push_times(hub, dashboard.port, client.cookie_header, 10 if quick else 50))
            client.close()
        finally:
            dashboard.stop()
            hub.stop()
            broker.stop()
    push, page = percentiles(push_ms), percentiles(page_ms)
    from devtools.bench_signin import run_bench as signin_bench

    return signin_bench(quick) | {
        "dashboard_push_ms": push["p99"],
        "dashboard_push_ms_p50": push["p50"],
        "dashboard_push_streams": _STREAMS,
        "dashboard_page_ms": page["p99"],
        "dashboard_page_ms_p50": page["p50"],
    }


def _page_times(client: DashboardClient, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        status, _page = client.request("GET", "/")
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"the board answered {status}")
    return times[5:]  # the first pages warm the templates and the read connection


async def _open_stream(port: int, cookie: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode())
    await writer.drain()
    while b"event: hello" not in (line := await reader.readline()):
        if not line:
            raise RuntimeError("the event stream closed before it said hello")
    return reader, writer  # the writer is kept: collecting it would close the connection


async def _read_boards(reader: asyncio.StreamReader, seen: asyncio.Queue[float]) -> None:
    """Every "board" event this stream receives, as the time it arrived."""
    while line := await reader.readline():
        if line.startswith(b"event: board"):
            seen.put_nowait(time.perf_counter())


async def _push_times(hub: HubService, port: int, cookie: str, changes: int) -> list[float]:
    queues: list[asyncio.Queue[float]] = [asyncio.Queue() for _ in range(_STREAMS)]
    streams = [await _open_stream(port, cookie) for _ in queues]
    readers = [asyncio.create_task(_read_boards(r, q)) for (r, _w), q in zip(streams, queues, strict=True)]
    loop = asyncio.get_running_loop()
    times: list[float] = []
    for i in range(changes):
        await asyncio.sleep(0.05)  # the previous change's follow-up events (receipts) arrive
        for q in queues:
            while not q.empty():
                q.get_nowait()
        req = build_request("martinez", "late", str(5 + i % 30), "", "bench")
        start = time.perf_counter()
        await loop.run_in_executor(None, hub.set_status, req)
        received = await asyncio.wait_for(asyncio.gather(*(q.get() for q in queues)), 10)
        times += [(t - start) * 1000 for t in received]
    for task in readers:
        task.cancel()
    for _reader, writer in streams:
        writer.close()
    return times
