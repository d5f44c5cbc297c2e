"""``python -m devtools bench``: the figures the issues name, as one JSON object.

Each area contributes a ``run_bench(quick) -> dict`` of its own keys; this module runs
the spine's (sync, outbox, lookup) and merges the others' when they are installed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

_AREAS = (
    "devtools.bench_sync",
    "devtools.bench_tls",
    "devtools.bench_staff",
    "devtools.bench_notify",
    "devtools.bench_hardware",
    "devtools.bench_speech",
    "devtools.bench_tts",
    "devtools.bench_voice",
    "devtools.bench_ui",
    "devtools.bench_screen",
    "devtools.bench_dashboard",
    "devtools.bench_fuzz",
    "devtools.bench_truths",
    "devtools.bench_epoch",
    "devtools.bench_ehr",
    "devtools.bench_vault",
    "devtools.bench_fleet",
)

_TIMEOUT_S = {"devtools.bench_tts": 3600}
"""Areas that need longer than the default 900 s: bench_tts transcribes 2 x 3 x 96 sentences
with Whisper (~10 min on an idle 2-core box, 38 min on a shared, loaded one)."""


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50": float("nan"), "p99": float("nan")}
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p99": round(p99, 3)}


def run_bench(args: argparse.Namespace) -> int:
    random.seed(1)
    results: dict[str, Any] = {}
    only = set(getattr(args, "only", []) or [])
    unknown = only - {a.rsplit(".", 1)[-1] for a in _AREAS}
    if unknown:
        print(f"bench: no such area: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for name in _AREAS:
        if only and name.rsplit(".", 1)[-1] not in only:
            continue
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        results.update(_run_area(name, args.quick))
    text = json.dumps(results, indent=2, sort_keys=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    print(text)
    return 0


def _run_area(name: str, quick: bool) -> dict[str, Any]:
    """Each area in a fresh process: memory figures then measure that area alone."""
    code = f"import json, {name} as area; print(json.dumps(area.run_bench({quick!r})))"
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=_TIMEOUT_S.get(name, 900),
    )
    sys.stderr.write(proc.stderr[-2000:])
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        print(f"bench: {name} failed (exit {proc.returncode})", file=sys.stderr)
        return {}
    return dict(json.loads(lines[-1]))
