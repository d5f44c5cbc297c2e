"""Central site hubs in a process of their own (so the benchmark can measure their CPU and
memory): one ``HubService`` per site, each logged in to the central broker as
``hub-<site>``, as ``kiosk hub run`` with each site's own file would be.

``python -m devtools.fleet_hubs`` reads a JSON spec on its first stdin line (``HubsSpec``),
prints ``ready``, then answers one command per line with one JSON line:
``{"cmd": "status", "site": S, "provider": P, "delay": N}`` (the monotonic time just before
the change and its version), ``{"cmd": "stats"}`` (check-ins recorded per site, CPU
seconds, RSS), ``{"cmd": "stop"}``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from config.settings import BrokerSettings, HubSettings, KioskSettings, Settings, StaffSettings
from core.clock import SystemClock
from hub.sample import sample_morning
from hub.service import HubService
from sync import messages as m


@dataclass(frozen=True)
class HubsSpec:
    practice: str
    sites: list[str]
    workdir: str
    central_port: int
    password: str
    ca_file: str
    per_provider: int = 0  # appointments per provider in each site's day (0: the sample morning)
    intake: str = "self"


def hub_settings(spec: HubsSpec, site: str) -> Settings:
    return Settings(
        kiosk=KioskSettings(
            id="hub-side",
            practice=spec.practice,
            site=site,
            state_dir=f"{spec.workdir}/hubs/{site}",
            log_level="WARNING",
        ),
        broker=BrokerSettings(
            host="localhost",
            port=spec.central_port,
            username=f"hub-{site}",
            password=spec.password,
            ca_file=spec.ca_file,
            reconnect_min_s=0.1,
            reconnect_max_s=0.5,
            keepalive_s=15,
        ),
        hub=HubSettings(state_dir=f"{spec.workdir}/hubs/{site}", client_id=f"hub-{site}", intake=spec.intake),
        staff=StaffSettings(display_deadline_s=30),
    )


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def status_change(provider: str, delay: int) -> m.StatusChangeRequest:
    return m.StatusChangeRequest(
        key=f"bench-{time.monotonic_ns()}",
        kiosk_id="cli",
        provider_id=provider,
        state="late",
        requested_by="bench",
        requested_at=SystemClock().now().isoformat(),
        delay_min=delay,
    )


def main() -> None:
    spec = HubsSpec(**json.loads(sys.stdin.readline()))
    day = sample_morning(SystemClock().now().date(), per_provider=spec.per_provider)
    hubs = {site: HubService(hub_settings(spec, site)) for site in spec.sites}
    for hub in hubs.values():
        hub.start(day)
    print("ready", flush=True)
    for line in sys.stdin:
        cmd: dict[str, Any] = json.loads(line)
        if cmd["cmd"] == "status":
            hub = hubs[cmd["site"]]
            at = time.monotonic()
            result = hub.set_status(status_change(cmd["provider"], int(cmd["delay"])))
            answer: dict[str, Any] = {"at": at, "version": result.status_version, "ok": result.accepted}
        elif cmd["cmd"] == "stats":
            use = resource.getrusage(resource.RUSAGE_SELF)
            answer = {
                "checkins": {s: h.stats["checkins"] for s, h in hubs.items()},
                "duplicates": sum(h.stats["checkin_duplicates"] for h in hubs.values()),
                "cpu_s": use.ru_utime + use.ru_stime,
                "rss_mb": _rss_mb(),
                "at": time.monotonic(),
            }
        else:
            break
        print(json.dumps(answer), flush=True)
    for hub in hubs.values():
        hub.stop()


class HubHost:
    """The parent's handle on a ``python -m devtools.fleet_hubs`` process."""

    def __init__(self, spec: HubsSpec) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devtools.fleet_hubs"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._say(json.dumps(asdict(spec)))
        if self._line() != "ready":
            raise RuntimeError("the hub host did not start")

    def _say(self, line: str) -> None:
        if self.proc.stdin is None:
            raise RuntimeError("the hub host's stdin is closed")
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def _line(self) -> str:
        line = self.proc.stdout.readline() if self.proc.stdout is not None else ""
        if not line:
            raise RuntimeError(f"the hub host ended (exit {self.proc.poll()})")
        return line.strip()

    def ask(self, cmd: str, **args: Any) -> dict[str, Any]:
        self._say(json.dumps({"cmd": cmd, **args}))
        answer: dict[str, Any] = json.loads(self._line())
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self._say(json.dumps({"cmd": "stop"}))
                self.proc.wait(30)
            except (OSError, subprocess.TimeoutExpired, RuntimeError):
                self.proc.kill()
                self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


__all__ = ["HubHost", "HubsSpec", "hub_settings", "status_change"]

if __name__ == "__main__":
    main()
