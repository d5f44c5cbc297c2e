"""An area that measures at once."""

from __future__ import annotations


def run_bench(quick: bool) -> dict[str, object]:
    return {"fake_figure_ms": {"p50": 1.0, "p99": 2.0}, "fake_quick": quick}
