"""Benchmark of the dashboard's sign-in against a LAN attacker (real broker, hub, dashboard
and HTTP on loopback, the shipped scrypt cost and [hub.web] defaults):

* ``web_guesses_per_account_hour``: passwords of one account the hub verified for an
  attacker with 50 concurrent connections from 250 client addresses (127.0.0.2-251) over one
  hour. The hour is the sign-in clock's: it runs ``_SPEED`` times fast so the hour passes in
  seconds (the attacker's real rate is far above every budget either way);
* ``web_signin_under_attack_p99_ms``: the member's own sign-in (login page, then the POST)
  from the workstation they signed in on before, while the attack runs;
* ``web_failure_timing_spread_ms``: the largest difference of median answer times between
  the failure kinds (unknown id, member without a password, held account, wrong password).

The attacker runs in a child process, so its own work does not share the hub's GIL.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import re
import statistics
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from config.settings import HubWebSettings, Settings, StaffSettings
from core.clock import SystemClock
from devtools.bench import percentiles
from devtools.bench_sync import bench_settings
from devtools.local_broker import Broker
from devtools.web_client import DashboardClient
from domain.staff import hash_secret
from hub.sample import sample_morning
from hub.service import HubService
from hub.store import HubStore
from hub.web import DashboardServer
from hub.web.records import set_password

_PASSWORD = "bench-password-1"  # noqa: S105 - of a throwaway database
_MEMBERS = ("victim", "wrong", "held", "nopw")  # supervisors: all may sign in
_CONNECTIONS = 50
_SOURCES = [f"127.0.0.{n}" for n in range(2, 252)]
_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


def run_bench(quick: bool) -> dict[str, Any]:
    hour_s = 12.0 if quick else 30.0  # real seconds the sign-in clock's hour takes
    staff = StaffSettings(members={sid: f"supervisor:{hash_secret('0000', n=2**4)}" for sid in _MEMBERS})
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-signin-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        hub = HubService(bench_settings(broker.port, state, "hub", staff))
        hub.start(sample_morning(SystemClock().now().date()))
        for sid in _MEMBERS[:-1]:  # "nopw" has no dashboard password
            hub.call(_setter(sid))
        try:
            attack = _under_attack(hub.settings, hub, hour_s, 20 if quick else 60)
            spread = _failure_spread(hub.settings, hub, 10 if quick else 30)
        finally:
            hub.stop()
            broker.stop()
    signin, quiet = percentiles(attack["signin_ms"]), percentiles(attack["quiet_ms"])
    return {
        "web_guesses_per_account_hour": attack["guesses"],
        "web_guess_budget_per_hour": HubWebSettings().guesses_per_hour,
        "web_attack_attempts": attack["attempts"],
        "web_attack_connections": _CONNECTIONS,
        "web_attack_sources": len(_SOURCES),
        "web_signin_under_attack_p99_ms": signin["p99"],
        "web_signin_under_attack_p50_ms": signin["p50"],
        "web_signin_quiet_p99_ms": quiet["p99"],
        "web_signin_quiet_p50_ms": quiet["p50"],
        "web_failure_timing_spread_ms": spread["spread"],
        "web_failure_timing_median_ms": spread["medians"],
    }


def _setter(staff_id: str) -> Callable[[HubStore], None]:
    def set_it(store: HubStore) -> None:
        set_password(store, staff_id, hash_secret(_PASSWORD), "bench")  # the shipped scrypt cost

    return set_it


def _dashboard(settings: Settings, hub: HubService, **web: Any) -> DashboardServer:
    web_settings = HubWebSettings(**({"enabled": True, "port": 0} | web))
    return DashboardServer(replace(settings, hub=replace(settings.hub, web=web_settings)), hub)


def _under_attack(settings: Settings, hub: HubService, hour_s: float, samples: int) -> dict[str, Any]:
    dashboard = _dashboard(settings, hub)
    speed = 3600.0 / hour_s
    start = time.monotonic()
    fast: Callable[[], float] = lambda: start + (time.monotonic() - start) * speed  # noqa: E731
    dashboard.dashboard.guard.clock = fast
    dashboard.start()
    try:
        member = DashboardClient("127.0.0.1", dashboard.port)
        member.sign_in("victim", _PASSWORD)  # the workstation is known from now on
        quiet = [_signin_ms(member) for _ in range(samples)]  # the same, with nobody attacking
        ctx = multiprocessing.get_context("spawn")
        done = ctx.Queue()
        attacker = ctx.Process(target=_attack_process, args=(dashboard.port, "victim", hour_s, done))
        attacker.start()
        if done.get(timeout=180) != "attacking":  # the attacker's clients are ready: it begins
            raise RuntimeError("the attacker did not start")
        began = time.monotonic()
        time.sleep(min(2.0, hour_s / 5))  # the attack is under way (and the account held)
        times: list[float] = []
        while time.monotonic() - began < hour_s and len(times) < samples:
            times.append(_signin_ms(member))
            time.sleep(max(0.05, hour_s / 2 / samples))
        attempts = int(done.get(timeout=hour_s + 120))
        attacker.join(30)
        member.close()
        guesses = dashboard.dashboard.guard.verified("victim")
    finally:
        dashboard.stop()
    return {"guesses": guesses, "attempts": attempts, "signin_ms": times, "quiet_ms": quiet}


def _signin_ms(member: DashboardClient) -> float:
    """The member's whole sign-in: the login page, then the POST (their password checked)."""
    start = time.perf_counter()
    member.sign_in("victim", _PASSWORD)
    return (time.perf_counter() - start) * 1000


def _attack_process(port: int, staff_id: str, seconds: float, done: Any) -> None:
    done.put(asyncio.run(_attack(port, staff_id, seconds, lambda: done.put("attacking"))))


async def _attack(port: int, staff_id: str, seconds: float, ready: Callable[[], None]) -> int:
    """Wrong passwords for ``staff_id`` on 50 connections, each cycling through addresses.
    Plain HTTP/1.1 over asyncio streams: the attacker's own CPU stays small beside the hub's."""
    clients = [_RawClient(port, source) for source in _SOURCES]
    for client in clients:
        await client.fetch_token()
    ready()
    deadline = time.monotonic() + seconds
    attempts = 0

    async def worker(w: int) -> None:
        nonlocal attempts
        for n in itertools.cycle(range(w, len(clients), _CONNECTIONS)):  # this worker's addresses
            if time.monotonic() >= deadline:
                return
            await clients[n].guess(staff_id, f"guess-{attempts}")
            attempts += 1

    await asyncio.gather(*(worker(w) for w in range(_CONNECTIONS)))
    for client in clients:
        client.close()
    return attempts


class _RawClient:
    """One client address with one keep-alive connection, posting to the sign-in as a
    browser's form would (its Origin, the login token in cookie and form)."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source, self.token = port, source, ""
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def fetch_token(self) -> None:
        await self._exchange(f"GET /login HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n\r\n".encode())

    async def guess(self, staff_id: str, password: str) -> None:
        body = urllib.parse.urlencode({"staff_id": staff_id, "password": password, "csrf": self.token})
        head = (
            f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nOrigin: http://127.0.0.1:{self.port}\r\n"
            f"Cookie: kiosk_dashboard_login={self.token}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        status = await self._exchange((head + body).encode())
        if status == 403:
            raise RuntimeError("the attack was refused before the sign-in (CSRF or Origin)")

    async def _exchange(self, request: bytes) -> int:
        if self._streams is None:
            self._streams = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(self.source, 0))
        reader, writer = self._streams
        writer.write(request)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        page = (await reader.readexactly(length)).decode()
        match = _TOKEN.search(page)
        if match:  # each answer's page carries the next token (its cookie holds the same)
            self.token = match.group(1)
        return status

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()


def _failure_spread(settings: Settings, hub: HubService, rounds: int) -> dict[str, Any]:
    """Median answer time of each failure kind, sampled in turn (generous budgets, so every
    kind stays what it is for the whole run)."""
    dashboard = _dashboard(
        settings, hub, guesses_per_hour=1000, client_attempts_per_hour=10000, max_attempts=20
    )
    dashboard.start()
    try:
        client = DashboardClient("127.0.0.1", dashboard.port)
        for i in range(20):
            _try(client, "held", f"guess-{i}")  # held from now on (lockout_s)
        kinds = {
            "unknown_id": ("nobody-at-all", "guess"),
            "no_password": ("nopw", "guess"),
            "held": ("held", _PASSWORD),
            "wrong_password": ("wrong", "guess"),
        }
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for r in range(rounds):
            for kind, (sid, password) in kinds.items():
                times[kind].append(_try(client, sid, password))
            if r % 5 == 4:
                client.sign_in("wrong", _PASSWORD)  # a success clears the count: "wrong" is never held
                client.cookies.pop("kiosk_dashboard", None)
        client.close()
    finally:
        dashboard.stop()
    medians = {kind: round(statistics.median(t), 3) for kind, t in times.items()}
    return {"spread": round(max(medians.values()) - min(medians.values()), 3), "medians": medians}


def _try(client: DashboardClient, staff_id: str, password: str) -> float:
    """Milliseconds a refused sign-in took to answer (the POST alone)."""
    _status, page = client.request("GET", "/login")
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    start = time.perf_counter()
    status, _ = client.request("POST", "/login", {"staff_id": staff_id, "password": password, "csrf": token})
    took = (time.perf_counter() - start) * 1000
    if status != 401:
        raise RuntimeError(f"a failure for {staff_id} answered {status}")
    return took
