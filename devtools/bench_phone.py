"""The phone line's figures (docs/phone.md), over loopback with a real mosquitto, the hub
and the line's own sync cache. The answer and status figures use callers
(``devtools.sip_caller``) in the line's own event loop; the concurrency figures hold the
calls from a process of their own (``devtools.phone_callers``, each caller sending its voice
every 20 ms as a phone does), as a PBX would:

- ``phone_answer_ms``: INVITE sent → the first packet of speech received, p50/p99 over
  sequential calls (goal p99 <= 300);
- ``phone_concurrent_calls``: the most calls held at once (tried in steps) with the RTP
  packet gaps each caller sees at p99 <= 40 ms (goal >= 20; every step up to it must meet
  the goal), with the p99 per step; the line's loop runs at SCHED_RR as the service does
  (``phone/realtime.py``) when the bench may raise it, and for comparison the p99 at 20
  calls at the ordinary priority, and with the callers in the line's own loop (the old way);
- ``phone_cpu_per_call``: the line process's CPU seconds per call-second while that many
  calls are held (line, its sync worker, and the hub that shares the bench's process but
  idles), as a percentage of one core; and the callers' process likewise;
- ``phone_status_to_speech_ms``: ``set_status`` at the hub → the line's cached day (what
  the next prompt is worded from) holds the new status, p50/p99 (goal p99 <= 500);
- ``phone_invite_flood``: SIPp (a separate process, from 127.0.0.2) sends 2000 INVITEs at
  up to 500 a second to a second line limited to 5 a second (burst 30) while 5 calls from
  127.0.0.1 are held: the INVITEs refused (503), the flood calls answered, and the held
  calls' RTP gap p99 during the flood (skipped when SIPp is not installed).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from config.settings import PhoneSettings
from core.clock import SystemClock
from devtools.bench import percentiles
from devtools.bench_support import local_settings
from devtools.local_broker import Broker, free_port
from devtools.sip_caller import SipCaller
from hub.sample import sample_morning
from hub.service import HubService
from phone.line import PhoneLine
from phone.realtime import ordinary_priority, raise_loop_priority
from phone.service import PhoneService
from sync import messages as m

_GAP_GOAL_MS = 40.0


def _request(state: str, delay: int = 0) -> m.StatusChangeRequest:
    return m.StatusChangeRequest(
        key=f"bench-{time.monotonic_ns()}",
        kiosk_id="cli",
        provider_id="martinez",
        state=state,  # type: ignore[arg-type]
        requested_by="bench",
        requested_at=SystemClock().now().isoformat(timespec="minutes"),
        delay_min=delay,
        reason="sick" if state == "out" else "",
    )


async def _answer_ms(service: PhoneService, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        caller = SipCaller(("127.0.0.1", service.line.port))
        await caller.open()
        try:
            final = await caller.call()
            if final.status != 200:
                raise RuntimeError(f"the line answered {final.status}")
            await asyncio.wait_for(caller.first_speech.wait(), 10)
            out.append((caller.first_speech_at - caller.invited_at) * 1000)
            await caller.hang_up()
        finally:
            await caller.close()
    return out


async def _hold(service: PhoneService, calls: int, seconds: float) -> tuple[float, float, float]:
    """``calls`` at once for ``seconds``, the callers in a process of their own
    (``devtools.phone_callers``, sending their voice as phones do): the p99 RTP gap (ms)
    they saw, the line process's CPU as % of a core per call, and the callers' likewise."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devtools.phone_callers", "--line", f"127.0.0.1:{service.line.port}",
        "--calls", str(calls), "--hold", str(seconds),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    # The line's CPU over the callers' measured window: from when all are answered (plus
    # the second they wait) to when they start hanging up.
    while len(service.line.dialogs) < calls and proc.returncode is None:
        await asyncio.sleep(0.01)
    await asyncio.sleep(1.0)
    cpu0, wall0 = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"the callers failed: {err.decode(errors='replace')[-500:]}")
    result = json.loads(out)
    if result["answered"] != calls:
        raise RuntimeError(f"the line answered {result['answered']} of {calls} calls")
    callers_cpu = 100 * result["callers_cpu_s"] / (wall * calls)
    return float(result["gap_p99_ms"]), 100 * cpu / (wall * calls), callers_cpu


async def _hold_in_process(service: PhoneService, calls: int, seconds: float) -> float:
    """The old measure, for comparison: the callers in the line's own event loop (sending
    nothing), so their receiving competes with the line's sending. The p99 gap (ms)."""
    callers = [SipCaller(("127.0.0.1", service.line.port), number=f"+1555{i:04d}") for i in range(calls)]
    for caller in callers:
        await caller.open()
    try:
        for final in await asyncio.gather(*(c.call(30) for c in callers)):
            if final.status != 200:
                raise RuntimeError(f"the line answered {final.status}")
        await asyncio.sleep(1.0)  # every call's stream under way
        marks = [len(c.heard.arrivals) for c in callers]
        await asyncio.sleep(seconds)
        gaps = []
        for caller, mark in zip(callers, marks, strict=True):
            gaps += [(b - a) * 1000 for a, b in itertools.pairwise(caller.heard.arrivals[mark:])]
        for caller in callers:
            await caller.hang_up()
        return percentiles(gaps)["p99"] if gaps else float("inf")
    finally:
        for caller in callers:
            await caller.close()


async def _status_to_speech_ms(service: PhoneService, hub: HubService, changes: int) -> list[float]:
    out = []
    for i in range(changes):
        state, delay = ("late", 20 + 5 * (i % 4)) if i % 2 == 0 else ("on_time", 0)
        start = time.monotonic()
        if not hub.set_status(_request(state, delay)).accepted:
            raise RuntimeError("the hub refused the bench's status change")
        while True:
            status = (await service.day()).statuses.get("martinez")
            if status is not None and status.state == state and status.delay_min == delay:
                break
            if time.monotonic() - start > 10:
                raise RuntimeError("the line's cache did not take the status")
            await asyncio.sleep(0.005)
        out.append((time.monotonic() - start) * 1000)
    return out


async def _flood(service: PhoneService, invites: int) -> dict[str, Any]:
    config = replace(service.line.config, port=0, allowed=("127.0.0.0/8",), invite_rate=5.0, invite_burst=30)
    line = PhoneLine(config, service.line.make_call)
    await line.start()
    held = [SipCaller(("127.0.0.1", line.port), number=f"+1555{i:04d}") for i in range(5)]
    try:
        for caller in held:
            await caller.open()
            if (await caller.call(30)).status != 200:
                raise RuntimeError("the held call was not answered")
        await asyncio.sleep(1.0)
        marks = [len(c.heard.arrivals) for c in held]
        start = time.monotonic()
        sipp = await asyncio.create_subprocess_exec(
            "sipp", "-sn", "uac", "-r", "500", "-m", str(invites), "-l", str(invites), "-i", "127.0.0.2",
            "-mi", "127.0.0.2", "-p", str(free_port()), "-mp", str(free_port()), "-timeout", "60", "-nostdin",
            f"127.0.0.1:{line.port}", stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await sipp.wait()
        seconds = time.monotonic() - start
        gaps = []
        for caller, mark in zip(held, marks, strict=True):
            gaps += [(b - a) * 1000 for a, b in itertools.pairwise(caller.heard.arrivals[mark:])]
        return {
            "invites": invites,
            "invites_per_s": round(invites / seconds),
            "refused_503": line.stats["invite_rate_limited"],
            "flood_calls_answered": line.stats["calls_answered"] - len(held),
            "held_calls_gap_p99_ms": round(percentiles(gaps)["p99"], 1),
            "held_calls_still_up": sum(1 for c in held if c.call_id in line.dialogs),
        }
    finally:
        for caller in held:
            await caller.hang_up()
            await caller.close()
        await line.stop()


async def _all_gone(service: PhoneService) -> None:
    """Until the previous step's calls have ended."""
    while service.line.dialogs:
        await asyncio.sleep(0.05)


async def _measure(service: PhoneService, hub: HubService, quick: bool) -> dict[str, Any]:
    await service.start()
    try:
        while len((await service.day()).providers) < 4:
            await asyncio.sleep(0.05)
        answer = await _answer_ms(service, 5 if quick else 30)
        status = await _status_to_speech_ms(service, hub, 5 if quick else 30)
        steps: dict[str, float] = {}
        cpu_by_calls: dict[str, float] = {}
        callers_cpu: dict[str, float] = {}
        held = 0
        for calls in (5, 10, 20) if quick else (5, 10, 20, 30, 40, 60, 80, 100):
            p99, per_call, callers = await _hold(service, calls, 3.0 if quick else 8.0)
            steps[str(calls)], cpu_by_calls[str(calls)] = round(p99, 1), round(per_call, 2)
            callers_cpu[str(calls)] = round(callers, 2)
            await _all_gone(service)
            if p99 > _GAP_GOAL_MS:
                break  # the most held is the last step that met the goal, and every one below
            held = calls
        same_loop = await _hold_in_process(service, 20, 3.0 if quick else 8.0)
        await _all_gone(service)
        # For comparison: 20 calls with the loop at the ordinary priority (no LimitRTPRIO).
        ordinary = None
        if service.realtime:
            ordinary_priority()
            ordinary = round((await _hold(service, 20, 3.0 if quick else 8.0))[0], 1)
            await _all_gone(service)
            raise_loop_priority(service.settings.phone.rt_priority)
        flood: dict[str, Any] = {"skipped": "SIPp is not installed"}
        if shutil.which("sipp"):
            flood = await _flood(service, 500 if quick else 2000)
        return {
            "phone_invite_flood": flood,
            "phone_answer_ms": percentiles(answer),
            "phone_status_to_speech_ms": percentiles(status),
            "phone_concurrent_calls": {
                "held": held,
                "gap_p99_ms_by_calls": steps,
                "loop_at_sched_rr": service.realtime,
                "ordinary_priority_gap_p99_ms_at_20": ordinary,
                "callers_in_the_lines_loop_gap_p99_ms_at_20": round(same_loop, 1),
            },
            "phone_cpu_per_call": {
                "percent_of_core_by_calls": cpu_by_calls,
                "callers_percent_of_core_by_calls": callers_cpu,
            },
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        }
    finally:
        await service.stop()


def run_bench(quick: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-phone-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        hub = HubService(local_settings(broker.port, state, "hub"))
        hub.start(sample_morning(SystemClock().now().date()))
        settings = replace(
            local_settings(broker.port, state, "phone-1"),
            phone=PhoneSettings(
                sip_port=0,
                allowed_peers="127.0.0.1",
                rtp_port_min=0,
                max_calls=100,
                invite_burst=200,
                invite_rate=200,  # the bench's own callers are one address
            ),
        )
        try:
            return asyncio.run(_measure(PhoneService(settings), hub, quick))
        finally:
            hub.stop()
            broker.stop()


if __name__ == "__main__":
    print(json.dumps(run_bench("--quick" in sys.argv), indent=2))
