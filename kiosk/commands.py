"""Kiosk-side subcommands: run. (The demo and the benchmarks are tools of a source
checkout: ``python -m devtools demo|bench|screenshots``, behind ``make demo`` and ``make bench``.)"""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="run this kiosk (sync, cache, devices, UI)")
    run.add_argument("--headless", action="store_true", help="no UI: print what the screen would show")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from kiosk.app import run_kiosk

    return run_kiosk(args)
