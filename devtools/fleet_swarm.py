"""Hundreds of simulated kiosks (``devtools.fleet_sim``) in one process, and the parent's
handle on such a process.

``python -m devtools.fleet_swarm`` reads a JSON ``Spec`` on its first stdin line, then one
JSON command per line, and answers each with one JSON line (see ``_Swarm.command``).
``Swarm`` starts one and asks it one line at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from devtools.fleet_sim import KioskSpec, SimKiosk, Spec


class _Swarm:
    """The kiosks of one process and the commands the parent sends them."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        by_site: dict[tuple[str, int, str], list[KioskSpec]] = {}
        for k in spec.kiosks:
            by_site.setdefault((k.host, k.port, k.site), []).append(k)
        self.kiosks = {
            k.kiosk_id: SimKiosk(k, spec, i, len(group))
            for group in by_site.values()
            for i, k in enumerate(group)
        }
        self.stop = asyncio.Event()
        self._load: asyncio.Task[None] | None = None

    async def run(self, reader: asyncio.StreamReader) -> None:
        runners = [asyncio.ensure_future(k.run(self.stop)) for k in self.kiosks.values()]
        ticker = asyncio.ensure_future(self._ticks())
        while not self.stop.is_set():
            line = await reader.readline()
            if not line:
                break
            answer = self.command(json.loads(line))
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
        self.stop.set()
        await asyncio.wait_for(asyncio.gather(*runners, return_exceptions=True), 15)
        ticker.cancel()

    async def _ticks(self) -> None:
        last_health = time.monotonic()
        while not self.stop.is_set():
            await asyncio.sleep(0.25)
            for kiosk in self.kiosks.values():
                kiosk.tick()
            if time.monotonic() - last_health >= self.spec.health_interval_s:
                last_health = time.monotonic()
                for kiosk in self.kiosks.values():
                    kiosk.report_health()

    def command(self, cmd: dict[str, Any]) -> dict[str, Any]:
        what = cmd.get("cmd")
        kiosks = self.kiosks.values()
        if what == "ready":
            return {"holding_day": sum(k.holds_day() for k in kiosks), "of": len(self.kiosks)}
        if what == "checkins":  # a new load replaces the one running
            if self._load is not None:
                self._load.cancel()
            load = self._check_in(int(cmd["per_kiosk"]), float(cmd["rate"]), bool(cmd.get("to_desk")))
            self._load = asyncio.ensure_future(load)
            return {"started": len(self.kiosks) * int(cmd["per_kiosk"])}
        if what == "loading":
            return {"loading": self._load is not None and not self._load.done()}
        if what == "owed":
            return {"owed": sum(len(k.outbox) for k in kiosks), "resent": sum(k.resent for k in kiosks)}
        if what == "shown":
            return {
                "shown": {k.id: k.cache.shown for k in kiosks},
                "statuses": {k.id: k.cache.statuses for k in kiosks},
            }
        if what == "report":
            return self._report()
        if what == "stop":
            self.stop.set()
            return {"stopping": True}
        return {"error": f"unknown command {what!r}"}

    async def _check_in(self, per_kiosk: int, rate: float, to_desk: bool = False) -> None:
        """``per_kiosk`` check-ins at every kiosk, ``rate`` per second across the process
        (0: as fast as they commit)."""
        order = (k for _ in range(per_kiosk) for k in list(self.kiosks.values()))
        started = time.monotonic()
        for n, kiosk in enumerate(order):
            kiosk.checkin(to_desk)
            if rate > 0:
                ahead = started + (n + 1) / rate - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)
            elif n % 50 == 49:
                await asyncio.sleep(0)

    def _report(self) -> dict[str, Any]:
        acked = [s for k in self.kiosks.values() for s in k.acked_in_s]
        return {
            "committed": {k.id: k.committed for k in self.kiosks.values()},
            "owed": {k.id: len(k.outbox) for k in self.kiosks.values() if k.outbox},
            "hub_offline": sorted(k.id for k in self.kiosks.values() if not k.hub_online),
            "disconnected": sorted(k.id for k in self.kiosks.values() if not k.connected),
            "faults": dict(sum((k.faults for k in self.kiosks.values()), Counter())),
            "connects": sum(k.connects for k in self.kiosks.values()),
            "resent": sum(k.resent for k in self.kiosks.values()),
            "acked_in_s": sorted(acked),
            "sent_in_s": sorted(s for k in self.kiosks.values() for s in k.sent_in_s),
        }


async def _main() -> None:
    reader = asyncio.StreamReader(limit=1 << 24)
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    raw = json.loads(await reader.readline())
    spec = Spec(**{**raw, "kiosks": [KioskSpec(**k) for k in raw["kiosks"]]})
    await _Swarm(spec).run(reader)


def main() -> None:
    asyncio.run(_main())


class Swarm:
    """The parent's side: a ``python -m devtools.fleet_swarm`` process, asked one line at a time."""

    def __init__(self, spec: Spec) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devtools.fleet_swarm"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ask_raw(json.dumps(asdict(spec)))

    def ask_raw(self, line: str) -> None:
        if self.proc.stdin is None:
            raise RuntimeError("the swarm's stdin is closed")
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def ask(self, cmd: str, **args: Any) -> dict[str, Any]:
        self.ask_raw(json.dumps({"cmd": cmd, **args}))
        line = self.proc.stdout.readline() if self.proc.stdout is not None else ""
        if not line:
            raise RuntimeError(f"the swarm ended (exit {self.proc.poll()}) instead of answering {cmd}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self, timeout: float = 20.0) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(RuntimeError, BrokenPipeError, OSError):
                self.ask("stop")
            if self.proc.stdin is not None:
                with contextlib.suppress(BrokenPipeError, OSError):
                    self.proc.stdin.close()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def split(kiosks: Iterable[KioskSpec], processes: int) -> list[list[KioskSpec]]:
    """Kiosks spread over ``processes`` swarms, each site's kiosks kept together."""
    by_site: dict[str, list[KioskSpec]] = {}
    for k in kiosks:
        by_site.setdefault(k.site + k.host + str(k.port), []).append(k)
    parts: list[list[KioskSpec]] = [[] for _ in range(max(1, processes))]
    for i, group in enumerate(by_site.values()):
        parts[i % len(parts)].extend(group)
    return [p for p in parts if p]


__all__ = ["Swarm", "split"]

if __name__ == "__main__":
    main()
