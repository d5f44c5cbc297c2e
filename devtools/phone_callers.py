"""Many callers at once in a process of their own, for the phone bench
(``devtools.bench_phone``): the line's process then pays for the line only, as it does
beside a PBX. Each caller sends its (silent) voice every 20 ms as a phone does, and notes
when each of the line's packets arrived **at its socket**: the kernel's receive time
(``SO_TIMESTAMPNS``), not when this process got round to reading it. On loopback that is
when the line sent it, so the gaps are the line's pacing as a phone's jitter buffer sees
it, whatever the load does to this process's own scheduling.

python -m devtools.phone_callers --line 127.0.0.1:5060 --calls 20 --hold 8

prints one JSON object: the calls answered, the p50/p99/max of the gaps between the line's
packets as each caller saw them (ms), the packets heard, and this process's CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import socket
import struct
import time
from typing import Any, cast

from devtools.sip_caller import SipCaller

FRAME_S = 0.02
_SO_TIMESTAMPNS = 35  # Linux (asm-generic/socket.h); also the control message's type
_TIMESPEC = struct.Struct("@qq")


class _StampedRtp:
    """A caller's RTP socket that keeps the kernel's receive time of each packet; enough of
    a datagram transport for ``SipCaller`` (``sendto``, ``get_extra_info``, ``close``)."""

    def __init__(self, caller: SipCaller, host: str) -> None:
        self.caller = caller
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
        self.sock.setblocking(False)
        self.sock.bind((host, 0))
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.sock.fileno(), self._read)

    def _read(self) -> None:
        while True:
            try:
                data, ancillary, _flags, _addr = self.sock.recvmsg(2048, 64)
            except (BlockingIOError, InterruptedError):
                return
            stamp = None
            for level, kind, raw in ancillary:
                if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS and len(raw) >= _TIMESPEC.size:
                    sec, nsec = _TIMESPEC.unpack_from(raw)
                    stamp = sec + nsec / 1e9
            self.caller.heard_rtp(data, stamp)

    def sendto(self, data: bytes, addr: tuple[str, int]) -> None:
        self.sock.sendto(data, addr)

    def get_extra_info(self, name: str) -> Any:
        return self.sock.getsockname() if name == "sockname" else None

    def close(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()


async def _open(caller: SipCaller) -> None:
    """Open ``caller`` with a time-stamping RTP socket in place of asyncio's."""
    await caller.open(cast(asyncio.DatagramTransport, _StampedRtp(caller, caller.host)))


async def _voice(callers: list[SipCaller], stop: asyncio.Event) -> None:
    """Every caller's voice, one frame each per 20 ms, paced against the loop's clock."""
    loop = asyncio.get_running_loop()
    start, ticks = loop.time(), 0
    while not stop.is_set():
        for caller in callers:
            caller.send_audio_frame()
        ticks += 1
        await asyncio.sleep(max(0.0, start + ticks * FRAME_S - loop.time()))


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("inf")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def hold(line: tuple[str, int], calls: int, seconds: float, voice: bool = True) -> dict[str, Any]:
    callers = [SipCaller(line, number=f"+1555{i:04d}") for i in range(calls)]
    for caller in callers:
        await _open(caller)
    stop = asyncio.Event()
    sender: asyncio.Task[None] | None = None
    try:
        finals = await asyncio.gather(*(c.call(30) for c in callers))
        answered = sum(1 for f in finals if f.status == 200)
        live = [c for c, f in zip(callers, finals, strict=True) if f.status == 200]
        if voice:
            sender = asyncio.get_running_loop().create_task(_voice(live, stop))
        await asyncio.sleep(1.0)  # every call's stream under way
        marks = [len(c.heard.arrivals) for c in live]
        cpu0 = time.process_time()
        await asyncio.sleep(seconds)
        cpu = time.process_time() - cpu0
        gaps: list[float] = []
        for caller, mark in zip(live, marks, strict=True):
            gaps += [(b - a) * 1000 for a, b in itertools.pairwise(caller.heard.arrivals[mark:])]
        gaps.sort()
        stop.set()
        for caller in live:
            await caller.hang_up()
        return {
            "answered": answered,
            "gap_p50_ms": round(_percentile(gaps, 0.5), 2),
            "gap_p99_ms": round(_percentile(gaps, 0.99), 2),
            "gap_max_ms": round(gaps[-1], 2) if gaps else None,
            "packets": len(gaps) + len(live),
            "callers_cpu_s": round(cpu, 3),
        }
    finally:
        stop.set()
        if sender is not None:
            sender.cancel()
        for caller in callers:
            await caller.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--line", required=True, help="host:port of the line")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--hold", type=float, default=8.0, help="seconds measured")
    parser.add_argument("--no-voice", action="store_true", help="callers send no RTP of their own")
    args = parser.parse_args(argv)
    host, _, port = args.line.rpartition(":")
    result = asyncio.run(hold((host, int(port)), args.calls, args.hold, voice=not args.no_voice))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
