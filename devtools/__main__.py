"""``python -m devtools demo|bench|screenshots``: the tools of a source checkout.

``make demo``, ``make bench`` and ``make screenshots`` call these; none of it ships in the wheel.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devtools", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="tool", metavar="TOOL", required=True)
    demo = sub.add_parser("demo", help="a private broker, the hub with a sample morning, a kiosk")
    demo.add_argument("--config", default=None, help="unused; the demo writes its own settings")
    demo.add_argument("--headless", action="store_true", help="never open a window")
    demo.add_argument("--minutes", type=float, default=0, help="stop after this long (0: until Ctrl-C)")
    bench = sub.add_parser("bench", help="measure the figures the issues name; prints JSON")
    bench.add_argument("--out", default="build/bench.json", help="where to write the JSON too")
    bench.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    bench.add_argument(
        "--only", nargs="*", default=[], help="area modules to run (e.g. bench_sync bench_ehr; default: all)"
    )
    bench.add_argument(
        "--full", action="store_true",
        help="the long runs areas offer (the voice area: the whole corpus, not a held-out slice)",
    )  # fmt: skip
    shots = sub.add_parser("screenshots", help="render every screen to PNG")
    shots.add_argument("rest", nargs=argparse.REMAINDER, help="arguments of devtools.screenshots")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.tool == "demo":
        from devtools.demo import run_demo

        return run_demo(args)
    if args.tool == "bench":
        from devtools.bench import run_bench

        return run_bench(args)
    from devtools.screenshots import main as screenshots

    return screenshots(args.rest)


if __name__ == "__main__":
    sys.exit(main())
