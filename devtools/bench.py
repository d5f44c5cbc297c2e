"""``python -m devtools bench``: the figures the issues name, as one JSON object.

Each area contributes a ``run_bench(quick) -> dict`` of its own keys; this module runs
each in a process of its own, under its own time limit, and merges what they return.
An area that fails or passes its limit costs only its own keys: it is named in
``bench_failed_areas`` (with the reason and its seconds) and the others still run. The
JSON is rewritten after every area, so an interrupted run keeps what it measured.
``bench_seconds`` says how long each area took, ``bench_cpu_seconds`` the CPU it used (its
processes', user and system: what a busy machine does not stretch), and ``bench_load`` the
machine's 1-minute load average at the start and the end (a busy machine moves the timing
figures).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_AREAS = (
    "devtools.bench_sync",
    "devtools.bench_tls",
    "devtools.bench_staff",
    "devtools.bench_notify",
    "devtools.bench_notify_outage",
    "devtools.bench_notify_merge",
    "devtools.bench_hardware",
    "devtools.bench_speech",
    "devtools.bench_tts",
    "devtools.bench_voice",
    "devtools.bench_voice_es",
    "devtools.bench_ui",
    "devtools.bench_screen",
    "devtools.bench_a11y",
    "devtools.bench_blind",
    "devtools.bench_dashboard",
    "devtools.bench_fuzz",
    "devtools.bench_truths",
    "devtools.bench_epoch",
    "devtools.bench_ehr",
    "devtools.bench_vault",
    "devtools.bench_fleet",
    "devtools.bench_phone",
    "devtools.bench_phone_voice",
    "devtools.bench_srtp",
)

# Seconds an area may take before it is stopped and recorded as failed: a ceiling for a
# loaded machine (load 10-13 on the 2-core box stretched CPU-bound areas about 5x), not the
# goal. An area not named here gets DEFAULT_LIMIT_S; every area of the default run
# finished within 400 s at load 10-13 (docs/bench.md has what each costs).
DEFAULT_LIMIT_S = 600.0
FULL_LIMIT_FACTOR = 4.0  # ``--full``: whole corpora, the longest scenarios
_LIMIT_S: dict[str, float] = {
    # goal: 8 min quiet (a held-out slice; --full: the whole corpus); 413 s at load 3-4
    "devtools.bench_voice": 1800.0,
    # one sentence in 3 transcribed by Whisper (--full: all): 240 s at load 5
    "devtools.bench_tts": 1200.0,
    # mostly real-time waits (a 2-minute silent cut, a 1-minute reset, frozen brokers):
    # 361 s at load 4-6, of which ~300 s are waits by design
    "devtools.bench_fleet": 1200.0,
    # 396 s at load 11-12 with the 10,000-message kill soak; 222 s at load 10-11 with 3,000
    "devtools.bench_ehr": 900.0,
    # 4 voices x 22 held-out answers x clean/noise: goal 3 min quiet; 5 min at load 11
    "devtools.bench_voice_es": 900.0,
    # 30 spoken journeys (10 patients x 3 voices), each one kiosk visit through the real dialog
    "devtools.bench_blind": 900.0,
    # 48 spoken choices and 24 birth dates over RTP, and the pacing while one is recognized
    "devtools.bench_phone_voice": 900.0,
}

# Set for the areas' processes by ``--full``: areas that offer a longer run take it.
FULL_ENV = "KIOSK_BENCH_FULL"


def full_run() -> bool:
    """Whether this area runs under ``--full`` (its whole corpus, its longest scenarios)
    rather than the default run's representative slice."""
    return os.environ.get(FULL_ENV) == "1"


_STOP_GRACE_S = 5.0  # SIGTERM to the area's process group, then SIGKILL
_TAIL = 2000  # the last characters of an area's stderr, passed on to the bench's


@dataclass(frozen=True)
class AreaRun:
    """One area's outcome: its keys, or why it has none."""

    keys: dict[str, Any]
    seconds: float
    failure: str = ""
    cpu_seconds: float = 0.0


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50": float("nan"), "p99": float("nan")}
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p99": round(p99, 3)}


def area_key(name: str) -> str:
    """``devtools.bench_voice`` -> ``bench_voice`` (what ``--only`` and the JSON name)."""
    return name.rsplit(".", 1)[-1]


def limit_s(name: str, full: bool = False) -> float:
    """The area's limit; ``--full`` runs whole corpora and the longest scenarios, so it
    gives every area FULL_LIMIT_FACTOR times as long."""
    return _LIMIT_S.get(name, DEFAULT_LIMIT_S) * (FULL_LIMIT_FACTOR if full else 1)


def run_bench(args: argparse.Namespace) -> int:
    random.seed(1)
    only = set(getattr(args, "only", []) or [])
    unknown = only - {area_key(a) for a in _AREAS}
    if unknown:
        print(f"bench: no such area: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    full = bool(getattr(args, "full", False))
    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    failed: dict[str, dict[str, Any]] = {}
    load = {"start": _load_1min()}
    out = Path(args.out)
    text = ""
    for name in _AREAS:
        if only and area_key(name) not in only:
            continue
        limit = limit_s(name, full)
        print(f"bench: {name} (limit {limit:.0f} s) ...", file=sys.stderr, flush=True)
        run = run_area(name, args.quick, limit, full=full)
        results.update(run.keys)
        seconds[area_key(name)] = run.seconds
        cpu[area_key(name)] = run.cpu_seconds
        if run.failure:
            failed[area_key(name)] = {"reason": run.failure, "seconds": run.seconds}
            print(f"bench: {name} failed: {run.failure}", file=sys.stderr, flush=True)
        load["end"] = _load_1min()
        summary = {"bench_seconds": seconds, "bench_cpu_seconds": cpu, "bench_failed_areas": failed}
        summary["bench_load"] = load
        text = _write(out, {**results, **summary})  # after every area: a stopped run keeps it
    print(text)
    return 1 if failed else 0


def run_area(name: str, quick: bool, limit: float, *, full: bool = False) -> AreaRun:
    """Each area in a fresh process (memory figures then measure that area alone) and a
    process group of its own, so a stop at ``limit`` also ends what the area started."""
    code = f"import json, {name} as area; print(json.dumps(area.run_bench({quick!r})))"
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    if full:
        env[FULL_ENV] = "1"
    started, cpu_before = time.monotonic(), _children_cpu()
    # Files, not pipes: a child the area left behind cannot hold the bench up on a pipe.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=out, stderr=err, env=env, start_new_session=True
        )
        try:
            exit_code = proc.wait(timeout=limit)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            exit_code = _stop_group(proc)
        except BaseException:  # Ctrl-C: its own session does not get the terminal's SIGINT
            _stop_group(proc)
            raise
        seconds = round(time.monotonic() - started, 1)
        cpu = round(_children_cpu() - cpu_before, 1)  # the area and what it waited for
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    sys.stderr.write(stderr[-_TAIL:])
    if timed_out:
        return AreaRun({}, seconds, f"timed out after {limit:.0f} s (stopped)", cpu)
    lines = stdout.strip().splitlines()
    if exit_code != 0:
        return AreaRun({}, seconds, f"exit {exit_code}: {_last_line(stderr)}", cpu)
    try:
        keys = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        keys = None
    if not isinstance(keys, dict):
        return AreaRun({}, seconds, "printed no JSON object as its last line", cpu)
    return AreaRun(keys, seconds, cpu_seconds=cpu)


def _stop_group(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM the area's process group, then SIGKILL whatever of it is left (what the area
    started included) after a grace period; the area's exit code."""
    _signal_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):  # killed below
        proc.wait(timeout=_STOP_GRACE_S)
    _signal_group(proc.pid, signal.SIGKILL)
    return proc.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # nothing of the group is left
        os.killpg(pgid, sig)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no output)"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load_1min() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # no load average on this platform
        return None


def _write(out: Path, results: dict[str, Any]) -> str:
    """Write ``results`` to ``out`` (replacing it whole: a reader never sees half a file)."""
    text = json.dumps(results, indent=2, sort_keys=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text + "\n")
    partial.replace(out)
    return text
