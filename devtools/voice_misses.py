"""Where the Whisper engine's misses come from, per step and room (issue 27's analysis).

``python -m devtools.voice_misses [--split tune] [--every 2] [--corpus build/voice-corpus/full]``
hears the split's clips once through the real listener with the Whisper engine
(``devtools.bench_whisper.hear``) and sorts every in-domain clip the kiosk did not act on rightly:

- ``wrong_transcript``: Whisper's words are not what was said (and mean something else, or nothing);
- ``matcher``: Whisper's words are what was said (normalized), yet the matcher found another
  meaning, or none;
- ``vetoed``: Whisper's meaning was right, and the agreement rules did not act (``grammar``: the
  grammar pass guessed otherwise; ``unsure``: the passes agreed but Whisper was not sure enough);
- ``wrong_action``: the kiosk acted, on something else.

Prints JSON: counts by cause, by step and by room, and up to ``--examples`` misses of each cause.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from devtools.bench_whisper import Heard2, hear, sliced
from devtools.voice_corpus.manifest import load_manifest, wav_path
from devtools.whisper_model import tiny_en_model
from speech.agreement import AGREEMENT, whisper_meaning
from speech.numbers import normalize

SAME_WORDS = 0.9
"""Transcript and script this close (difflib ratio over normalized words) count as the same words."""


def cause(o: Heard2) -> str:
    """Why ``o`` was not acted on rightly ('' when it was; out-of-domain clips are not sorted)."""
    expected = o.clip.expected
    acted = o.acted(AGREEMENT)
    if acted == expected:
        return ""
    if acted is not None:
        return "wrong_action"
    text = o.whisper.text if o.whisper is not None else ""
    meaning = whisper_meaning(o.grammar, text, o.clip.day) if text else None
    if meaning == expected:
        return "vetoed_grammar" if o.guess != expected else "vetoed_unsure"
    said = " ".join(normalize(o.clip.text))
    heard = " ".join(normalize(text))
    if said and difflib.SequenceMatcher(None, said, heard).ratio() >= SAME_WORDS:
        return "matcher"
    return "wrong_transcript"


def breakdown(outcomes: list[Heard2], examples: int = 8) -> dict[str, object]:
    """Counts of causes overall, by step and by room, with a few examples of each."""
    total: Counter[str] = Counter()
    by_step: dict[str, Counter[str]] = {}
    by_room: dict[str, Counter[str]] = {}
    shown: dict[str, list[dict[str, str]]] = {}
    for o in outcomes:
        if o.clip.expected is None:
            continue
        why = cause(o) or "right"
        total[why] += 1
        by_step.setdefault(o.clip.step, Counter())[why] += 1
        by_room.setdefault(o.clip.condition, Counter())[why] += 1
        if why != "right" and len(shown.setdefault(why, [])) < examples:
            shown[why].append(
                {
                    "step": o.clip.step,
                    "room": o.clip.condition,
                    "said": o.clip.text,
                    "whisper": o.whisper.text if o.whisper else "",
                    "grammar": repr(o.guess),
                    "expected": o.clip.intent,
                }
            )
    return {
        "clips": sum(total.values()),
        "causes": dict(total.most_common()),
        "by_step": {k: dict(v.most_common()) for k, v in sorted(by_step.items())},
        "by_room": {k: dict(v.most_common()) for k, v in sorted(by_room.items())},
        "examples": shown,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.voice_misses", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("build/voice-corpus/full"))
    parser.add_argument("--split", choices=("tune", "heldout"), default="tune")
    parser.add_argument("--every", type=int, default=2, help="every n-th clip of each room")
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args(argv)
    clips = sliced([c for c in load_manifest(args.corpus) if c.split == args.split], args.every)
    from speech.denoise import Denoiser

    denoiser = Denoiser()
    try:
        outcomes = hear(((c, wav_path(args.corpus, c)) for c in clips), tiny_en_model(), denoiser)
    finally:
        denoiser.close()
    json.dump(breakdown(outcomes, args.examples), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
