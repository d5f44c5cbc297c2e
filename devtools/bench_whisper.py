"""Voice figures with the Whisper engine (``speech.whisper_engine``), for ``bench_voice``.

Each clip is heard once through the real ``Listener`` with the Whisper engine, keeping the
grammar's guess and Whisper's transcript with its measures; the decision
(``speech.agreement.weigh``) is then replayed at any rules. Figures: ``voice_accuracy``
{clean, phone, noise_20db, noise_10db, noise_5db, dob_booked, dob_unbooked} and
``voice_wrong_action_rate`` {clean, noise_10db, out_of_domain, unbooked_dob}.

By default a held-out *slice* is heard (every ``SLICE_EVERY``-th clip of each room, so the
area stays within minutes on two cores); ``VOICE_BENCH_WHOLE=1`` hears the whole split.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from devtools.voice_corpus.manifest import Clip, load_manifest, wav_path
from devtools.whisper_model import tiny_en_model
from speech.agreement import AGREEMENT, Agreement, weigh
from speech.confidence import Evidence
from speech.denoise import Denoiser
from speech.grammar import StepGrammar, build_grammar
from speech.intents import Intent
from speech.listener import ListenConfig, Listener, WavSource
from speech.recognizer import Hypothesis

SLICE_EVERY = 4
"""The default slice: every 4th held-out clip of each room (477 of 1,908)."""
_OPTIONS = ("waiting_late", "return_later", "other_provider", "front_desk", "reschedule")
_PROVIDERS = ("Dr. Ngozi Okafor",)


@dataclass(frozen=True)
class Heard2:
    """One clip as both passes heard it."""

    clip: Clip
    grammar: StepGrammar
    guess: Intent | None
    evidence: Evidence
    whisper: Hypothesis | None
    seconds: float
    """Wall time the listen took (both passes)."""
    closed_margin: float | None = None
    """Whisper's margin over the step's other answers, where it was asked (``speech.closed_set``)."""

    def acted(self, rules: Agreement = AGREEMENT) -> Intent | None:
        return weigh(
            self.grammar, self.guess, self.whisper, self.clip.day, rules, closed_margin=self.closed_margin
        )[0]


def hear(clips: Iterable[tuple[Clip, Path]], model: Path, denoiser: Denoiser | None = None) -> list[Heard2]:
    """Every clip through the real listener and the Whisper engine, one room at a time."""
    from speech.pocketsphinx_engine import PocketsphinxRecognizer
    from speech.whisper_engine import WhisperRecognizer

    recognizer = WhisperRecognizer(model, threads=2)
    rooms: dict[str, list[tuple[Clip, Path]]] = {}
    for clip, path in clips:
        rooms.setdefault(clip.condition, []).append((clip, path))
    out: list[Heard2] = []
    for room in sorted(rooms):
        recognizer.grammar_pass = PocketsphinxRecognizer(phone_loop=False, open_pass=False)  # fresh CMN
        listener = Listener(recognizer, config=ListenConfig(timeout_s=30.0, denoiser=denoiser))
        for clip, path in rooms[room]:
            grammar = build_grammar(
                clip.step_enum, clip.names, _PROVIDERS, "en", clip.day, dobs=clip.dob_dates, options=_OPTIONS
            )
            start = time.perf_counter()
            heard = listener.listen(WavSource(path), grammar, clip.day)
            spent = time.perf_counter() - start
            guess = grammar.parse(heard.text, clip.day) if heard.text else None
            out.append(
                Heard2(clip, grammar, guess, heard.evidence, heard.whisper, spent, heard.closed_margin)
            )
    recognizer.close()
    return out


def groups(outcomes: list[Heard2]) -> dict[str, list[Heard2]]:
    by: dict[str, list[Heard2]] = {}
    for o in outcomes:
        c = o.clip
        keys = []
        if c.out_of_domain:
            keys.append("out_of_domain")
        if c.condition in ("clean", "phone"):
            keys.append(c.condition)
        elif c.condition.endswith("db") and "_" in c.condition:
            keys.append(f"noise_{c.condition.rsplit('_', 1)[1]}")
        if c.dob_booked is True:
            keys.append("dob_booked")
        elif c.dob_booked is False:
            keys += ["dob_unbooked", "unbooked_dob"]
        for key in keys:
            by.setdefault(key, []).append(o)
    return by


def rates(outcomes: list[Heard2], rules: Agreement = AGREEMENT) -> tuple[float | None, float | None]:
    right = wrong = domain = 0
    for o in outcomes:
        acted = o.acted(rules)
        expected = o.clip.expected
        if expected is not None:
            domain += 1
            right += acted == expected
        wrong += acted is not None and acted != expected
    return (right / domain if domain else None), (wrong / len(outcomes) if outcomes else None)


def figures(outcomes: list[Heard2], rules: Agreement = AGREEMENT) -> dict[str, object]:
    by = groups(outcomes)
    acc_keys = ("clean", "phone", "noise_20db", "noise_10db", "noise_5db", "dob_booked", "dob_unbooked")
    wrong_keys = ("clean", "noise_10db", "out_of_domain", "unbooked_dob")
    return {
        "voice_accuracy": {k: _r(rates(by.get(k, []), rules)[0]) for k in acc_keys},
        "voice_wrong_action_rate": {k: _r(rates(by.get(k, []), rules)[1]) for k in wrong_keys},
        "voice_clips": {k: len(v) for k, v in sorted(by.items()) if k != "unbooked_dob"},
    }


def sliced(clips: list[Clip], every: int) -> list[Clip]:
    """Every ``every``-th clip of each room, in manifest order (1: all)."""
    seen: dict[str, int] = {}
    out = []
    for clip in clips:
        n = seen.get(clip.condition, 0)
        seen[clip.condition] = n + 1
        if n % every == 0:
            out.append(clip)
    return out


def run(folder: Path, split: str = "heldout", every: int | None = None) -> dict[str, object]:
    """The Whisper figures over ``split`` of the corpus at ``folder`` (a slice unless whole)."""
    if every is None:
        every = 1 if os.environ.get("VOICE_BENCH_WHOLE") == "1" else SLICE_EVERY
    clips = sliced([c for c in load_manifest(folder) if c.split == split], every)
    model = tiny_en_model()
    denoiser = Denoiser()
    try:
        outcomes = hear(((c, wav_path(folder, c)) for c in clips), model, denoiser)
    finally:
        denoiser.close()
    return {**figures(outcomes), "voice_slice": {"split": split, "every": every, "clips": len(outcomes)}}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
