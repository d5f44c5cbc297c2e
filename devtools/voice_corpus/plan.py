"""Which clips the corpus holds: wordings x voices x rates x conditions, and the split.

The split is BY WORDING: within each intent, wordings ranked by a hash of their text go
two in five to ``heldout`` (a text is in one split only, whatever the step), and
held-out wordings are spoken only by the held-out voices (one per synthesizer), tune
wordings only by the others. So the final figures are on wordings and voices never
tuned on. Every choice here is a pure function of the wording list and the voices.

Full corpus: each wording once per synthesizer (voices and rates rotating), each
rendering under ``clean`` and, rotating through the other conditions, three more
(held out) or two more (tune). ``quick``: one wording per kind of intent, one voice,
one condition each (rotating, clean most often); every synthesizer and condition appears.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from devtools.voice_corpus.degrade import DEGRADED
from devtools.voice_corpus.synth import RATES, Voice
from devtools.voice_corpus.wordings import Wording

HELDOUT_OF_FIVE = (1, 3)
EXTRA_CONDITIONS = {"heldout": 3, "tune": 2}
QUICK_CYCLE = (
    *(c for pair in zip(DEGRADED[::2], DEGRADED[1::2], strict=False) for c in ("clean", *pair)),
    "clean",
    DEGRADED[-1],
)
QUICK_PER_GROUP = 1
TWO_TALKER_PARTNER = {"espeak-ng": "flite", "flite": "festival", "festival": "espeak-ng"}


@dataclass(frozen=True)
class Render:
    """One wording spoken once (a voice, a rate), written out under several conditions."""

    number: int  # its place in the full plan: clip names and seeds derive from it
    wording: Wording
    voice: Voice
    rate: int
    split: str
    conditions: tuple[str, ...]
    partner: Voice | None = None  # the second talker of a two-talker clip


def wording_key(w: Wording) -> str:
    """What makes two wordings the same (the text; a sound's kind and variant)."""
    return w.text or w.say


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _group(w: Wording) -> str:
    kind, _, _ = w.intent.partition(":")
    if kind == "dob":
        return f"dob:{w.dob_booked}"
    if kind == "name":
        return "name"
    return w.intent if w.kind == "speech" else f"reject:{w.kind}"


def assign_splits(wordings: list[Wording]) -> dict[str, str]:
    """wording key -> "tune" | "heldout": two in five of each group, ranked by hash."""
    groups: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for w in wordings:
        key = wording_key(w)
        if key not in seen:
            seen.add(key)
            groups[_group(w)].append(key)
    split = {}
    for keys in groups.values():
        for rank, key in enumerate(sorted(keys, key=_digest)):
            split[key] = "heldout" if rank % 5 in HELDOUT_OF_FIVE else "tune"
    return split


def _by_synth(voices: list[Voice], heldout: bool) -> dict[str, list[Voice]]:
    out: dict[str, list[Voice]] = defaultdict(list)
    for v in voices:
        if v.heldout == heldout:
            out[v.synth].append(v)
    return dict(out)


def _partner(voice: Voice, pool: dict[str, list[Voice]], n: int) -> Voice:
    other = pool.get(TWO_TALKER_PARTNER.get(voice.synth, ""), []) or pool[voice.synth]
    return other[n % len(other)]


def plan(wordings: list[Wording], voices: list[Voice], quick: bool = False) -> list[Render]:
    """Every rendering of the corpus in a fixed order (see the module doc)."""
    splits = assign_splits(wordings)
    pools = {"heldout": _by_synth(voices, True), "tune": _by_synth(voices, False)}
    renders: list[Render] = []
    counter = {"heldout": 0, "tune": 0}
    chosen = _quick_pick(wordings, splits) if quick else None
    number = 0
    for i, w in enumerate(wordings):
        split = splits[wording_key(w)]
        pool = pools[split]
        synths = sorted(pool)
        if not synths:
            continue
        if chosen is not None:
            synths = [synths[i % len(synths)]] if i in chosen else []
        for s, synth in enumerate(synths):
            voice = pool[synth][(i + s) % len(pool[synth])]
            extra = EXTRA_CONDITIONS[split]
            start = counter[split]
            counter[split] += 1 if quick else extra
            conditions = ("clean", *(DEGRADED[(start + k) % len(DEGRADED)] for k in range(extra)))
            if quick:  # one condition each: clean one time in three
                conditions = (QUICK_CYCLE[start % len(QUICK_CYCLE)],)
            partner = _partner(voice, pool, i) if w.kind == "two_talkers" else None
            rate = 0 if w.kind not in ("speech", "two_talkers") else RATES[(i + s) % len(RATES)]
            renders.append(Render(number, w, voice, rate, split, conditions, partner))
            number += 1
    return renders


def _quick_pick(wordings: list[Wording], splits: dict[str, str]) -> set[int]:
    """The quick slice: per group of intent, per step, the first tune and the first held-out wording."""
    picked: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, w in enumerate(wordings):
        chosen = picked[(w.step.value, _group(w), splits[wording_key(w)])]
        if len(chosen) < QUICK_PER_GROUP:
            chosen.append(i)
    return {i for chosen in picked.values() for i in chosen}
