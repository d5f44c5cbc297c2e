"""Bench areas for the bench's own tests: one that measures, one that fails, one that hangs
(and leaves a child behind). Each has the ``run_bench(quick) -> dict`` of a real area."""
