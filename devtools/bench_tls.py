"""The figures of issue 20, over TLS (passwords and the ACL for the soak):

- ``tls_soak``: every side publishing at once for 60 s (``devtools.tls_soak``):
  ``{seconds, disconnects, cli_timeouts}``, both counts 0;
- ``status_propagation_tls_ms`` (p99 <= 50) and ``display_ack_tls_ms``: as
  ``status_propagation_ms`` and ``display_ack_ms``, with TLS on;
- ``outbox_replay_tls`` (seconds <= 5): as ``outbox_replay``, with TLS on.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from devtools.bench_sync import bench_outbox_replay, bench_propagation
from devtools.tls_soak import run_soak

_TLS_NAMES = {
    "status_propagation_ms": "status_propagation_tls_ms",
    "display_ack_ms": "display_ack_tls_ms",
    "outbox_replay": "outbox_replay_tls",
}


def _over_tls(figures: dict[str, Any]) -> dict[str, Any]:
    return {_TLS_NAMES.get(name, f"{name}_tls"): value for name, value in figures.items()}


def run_bench(quick: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-tls-") as tmp:
        report = run_soak(Path(tmp) / "soak", 10.0 if quick else 60.0)
        out["tls_soak"] = report.figures()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-tls-") as tmp:
        state = Path(tmp)
        out.update(_over_tls(bench_propagation(state, kiosks=20, changes=10 if quick else 40, tls=True)))
        out.update(_over_tls(bench_outbox_replay(state, count=1000 if quick else 10_000, tls=True)))
    return out
