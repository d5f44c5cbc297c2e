"""Kiosk-side subcommands: run, demo, bench."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="run this kiosk (sync, cache, devices, UI)")
    run.add_argument("--headless", action="store_true", help="no UI: print what the screen would show")
    run.set_defaults(handler=_run)

    demo = subparsers.add_parser("demo", help="a private broker, the hub with a sample morning, a kiosk")
    demo.add_argument("--headless", action="store_true", help="never open a window")
    demo.add_argument("--minutes", type=float, default=0, help="stop after this long (0: until Ctrl-C)")
    demo.set_defaults(handler=_demo)

    bench = subparsers.add_parser("bench", help="measure the figures the issues name; prints JSON")
    bench.add_argument("--out", default="build/bench.json", help="where to write the JSON too")
    bench.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    bench.set_defaults(handler=_bench)


def _run(args: argparse.Namespace) -> int:
    from kiosk.app import run_kiosk

    return run_kiosk(args)


def _demo(args: argparse.Namespace) -> int:
    from kiosk.demo import run_demo

    return run_demo(args)


def _bench(args: argparse.Namespace) -> int:
    from kiosk.bench import run_bench

    return run_bench(args)
