"""``kiosk bench``: the figures the issues name, as one JSON object.

Each area contributes a ``run_bench(quick) -> dict`` of its own keys; this module runs
the spine's (sync, outbox, lookup) and merges the others' when they are installed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import statistics
import sys
from pathlib import Path
from typing import Any

_AREAS = ("kiosk.bench_sync", "kiosk.bench_staff", "hardware.bench", "speech.bench", "ui.bench")


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50": float("nan"), "p99": float("nan")}
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p99": round(p99, 3)}


def run_bench(args: argparse.Namespace) -> int:
    random.seed(1)
    results: dict[str, Any] = {}
    for name in _AREAS:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            print(f"bench: skipping {name}: {exc}", file=sys.stderr)
            continue
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        results.update(module.run_bench(args.quick))
    text = json.dumps(results, indent=2, sort_keys=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    print(text)
    return 0
