"""An area that raises before it has a figure."""

from __future__ import annotations


def run_bench(quick: bool) -> dict[str, object]:
    raise RuntimeError("the fake area's broker would not start")
