"""``python -m devtools.voice_corpus --out build/voice-corpus [--quick] [--split heldout|tune|all]``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from devtools.voice_corpus.generate import generate
from devtools.voice_corpus.synth import BACKENDS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.voice_corpus",
        description="Synthesize the voice test corpus (several synthesizers, lobby conditions).",
    )
    parser.add_argument("--out", default="build/voice-corpus", help="folder to (re)write")
    parser.add_argument("--quick", action="store_true", help="the small slice the tests use (~90 clips)")
    parser.add_argument("--split", choices=("all", "tune", "heldout"), default="all")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--synth", action="append", default=[], choices=[b.name for b in BACKENDS],
        help="only this synthesizer (repeatable; default: every one installed)",
    )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.jobs < 1:
        print("voice corpus: --jobs must be at least 1", file=sys.stderr)
        return 2

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            print(f"voice corpus: {done}/{total} renderings", file=sys.stderr)

    result = generate(
        args.out, quick=args.quick, split=args.split, seed=args.seed, jobs=args.jobs,
        synths=args.synth, progress=progress,
    )  # fmt: skip
    for why in result.skipped:
        print(f"voice corpus: skipped {why}", file=sys.stderr)
    for why in result.failures:
        print(f"voice corpus: failed {why}", file=sys.stderr)
    summary = {
        "clips": len(result.clips), "seconds": round(result.seconds, 1), "mb": round(result.bytes / 1e6, 1),
        "by_synth": result.counts("synth"), "by_condition": result.counts("condition"),
        "by_split": result.counts("split"), "skipped": result.skipped, "failures": len(result.failures),
    }  # fmt: skip
    print(json.dumps(summary, indent=1))
    return 1 if not result.clips else 0


if __name__ == "__main__":
    sys.exit(main())
