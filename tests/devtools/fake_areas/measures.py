"""An area that measures at once, and says whether it was asked for its full run."""

from __future__ import annotations

from devtools.bench import full_run


def run_bench(quick: bool) -> dict[str, object]:
    return {"fake_figure_ms": {"p50": 1.0, "p99": 2.0}, "fake_quick": quick, "fake_full": full_run()}
