"""Voice figures on the corpus (``devtools.voice_corpus``) for ``python -m devtools bench``.

- ``voice_accuracy`` {clean, phone, noise_20db, noise_10db, noise_5db, dob_booked, dob_unbooked}:
  share of in-domain held-out clips the kiosk acts on correctly (a re-prompt counts against it);
- ``voice_wrong_action_rate`` {clean, noise_10db, out_of_domain}: share of clips acted on with
  an intent that is not the expected one (any action on an out-of-domain clip is wrong);
- ``voice_tradeoff``: the same two figures over the tune split at several confidence offsets
  (the curve the thresholds were picked from; docs/speech.md).

Each clip is decoded once through the real ``Listener`` with every bar open, keeping the
guess and its evidence; the decision is then replayed at any thresholds (``decide``).
The corpus is generated into build/voice-corpus when absent. The default run hears a
slice of the held-out split (one clip in ``HELDOUT_EVERY`` of each condition) and reports
its trade-off only; ``python -m devtools bench --full`` hears the whole corpus, tune split
included (``voice_corpus`` in the JSON says which).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from devtools.bench import FULL_ENV
from devtools.voice_corpus.manifest import Clip, load_manifest, wav_path
from speech.confidence import DEFAULT_THRESHOLDS, OPEN_PASS_BARS, Bars, Evidence, Thresholds, decide
from speech.denoise import Denoiser
from speech.grammar import StepGrammar, build_grammar
from speech.intents import Intent
from speech.listener import ListenConfig, Listener, WavSource
from speech.openpass import TWO_PASS, TwoPass, combine
from speech.recognizer import Recognizer

CORPUS = Path("build/voice-corpus")
OPEN = Thresholds(Bars(-1e9, 2.0, -1e9), Bars(-1e9, 2.0, -1e9), Bars(-1e9, 2.0, -1e9))  # act on every guess
NEVER = Thresholds(Bars(1e9, -1.0, 1e9), Bars(1e9, -1.0, 1e9), Bars(1e9, -1.0, 1e9))
"""The open pass never acts (its sentence is kept for replay)."""
OFFSETS = (-6.0, -3.0, 0.0, 3.0, 6.0)
_OPTIONS = ("waiting_late", "return_later", "other_provider", "front_desk", "reschedule")
_PROVIDERS = ("Dr. Ngozi Okafor",)
HELDOUT_EVERY = 4  # a quarter of the held-out clips (477 of 1908): the area within its 8 minutes


@dataclass(frozen=True)
class Outcome:
    """One clip as heard with every bar open: the grammar's guess (``None``: no phrase) and its
    evidence, and what the open pass heard (its sentence, its confidence)."""

    clip: Clip
    guess: Intent | None
    evidence: Evidence
    text: str
    grammar: StepGrammar | None = None
    open_text: str = ""
    open_confidence: float | None = None

    def acted(
        self, thresholds: Thresholds, open_bars: Thresholds | None = None, rules: TwoPass = TWO_PASS
    ) -> Intent | None:
        """The intent the kiosk would act on at ``thresholds`` (``None``: re-prompt); where
        the grammar is unsure, the open pass's at ``open_bars`` (``None``: no open pass),
        the two weighed by ``rules``."""
        decision = "reprompt"
        if self.guess is not None:
            decision = decide(self.clip.step_enum, self.guess, self.evidence, thresholds)
        if open_bars is None or self.grammar is None:
            return self.guess if decision == "act" else None
        evidence = Evidence(self.open_confidence)
        return combine(
            self.grammar, self.guess, decision=decision, open_text=self.open_text,
            open_evidence=evidence, bars=open_bars, evidence=self.evidence, rules=rules,
        )[0]  # fmt: skip


def hear(
    clips: Iterable[tuple[Clip, Path]], recognizer: Recognizer, denoiser: Denoiser | None = None
) -> list[Outcome]:
    """Every clip through the real listener (its own grammar: the step, the day's names, dates),
    behind the noise suppressor when ``denoiser`` is given."""
    config = ListenConfig(timeout_s=30.0, thresholds=OPEN, open_bars=NEVER, denoiser=denoiser)
    listener = Listener(recognizer, config=config)
    out = []
    for clip, path in clips:
        grammar = build_grammar(
            clip.step_enum, clip.names, _PROVIDERS, "en", clip.day, dobs=clip.dob_dates, options=_OPTIONS
        )
        heard = listener.listen(WavSource(path), grammar, clip.day)
        guess = grammar.parse(heard.text, clip.day) if heard.text else None  # the grammar's own guess
        out.append(
            Outcome(clip, guess, heard.evidence, heard.text, grammar, heard.open_text, heard.open_confidence)
        )
    return out


def hear_in_rooms(
    clips: Iterable[tuple[Clip, Path]], make: Callable[[], Recognizer], denoiser: Denoiser | None = None
) -> list[Outcome]:
    """``hear`` one condition at a time, each through a new recognizer: a kiosk hears one
    microphone in one room, and pocketsphinx's live cepstral mean carries over from one
    utterance to the next (phone-band clips interleaved with wideband ones: 0.24 heard, in a
    block 0.81), so a corpus that switches rooms clip by clip measures the switch."""
    rooms: dict[str, list[tuple[Clip, Path]]] = {}
    for clip, path in clips:
        rooms.setdefault(clip.condition, []).append((clip, path))
    out: list[Outcome] = []
    for room in sorted(rooms):
        recognizer = make()
        out += hear(rooms[room], recognizer, denoiser)
        recognizer.close()
    return out


def rates(
    outcomes: list[Outcome], thresholds: Thresholds, open_bars: Thresholds | None = OPEN_PASS_BARS
) -> tuple[float | None, float | None]:
    """(accuracy over in-domain clips, wrong-action rate over all) at ``thresholds``."""
    right = wrong = domain = 0
    for o in outcomes:
        acted = o.acted(thresholds, open_bars)
        expected = o.clip.expected
        if expected is not None:
            domain += 1
            right += acted == expected
        wrong += acted is not None and acted != expected
    accuracy = right / domain if domain else None
    return accuracy, (wrong / len(outcomes) if outcomes else None)


def groups(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    """The bench's slices: conditions, booked/unbooked dates, out-of-domain."""
    by: dict[str, list[Outcome]] = {}

    def add(key: str, o: Outcome) -> None:
        by.setdefault(key, []).append(o)

    for o in outcomes:
        c = o.clip
        cond = c.condition
        if c.out_of_domain:
            add("out_of_domain", o)
        if cond in ("clean", "phone"):
            add(cond, o)
        elif cond.endswith("db") and "_" in cond:
            add(f"noise_{cond.rsplit('_', 1)[1]}", o)
        if c.dob_booked is True:
            add("dob_booked", o)
        elif c.dob_booked is False:
            add("dob_unbooked", o)
    return by


def figures(outcomes: list[Outcome], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> dict[str, object]:
    by = groups(outcomes)
    acc_keys = ("clean", "phone", "noise_20db", "noise_10db", "noise_5db", "dob_booked", "dob_unbooked")
    accuracy = {k: _r(rates(by.get(k, []), thresholds)[0]) for k in acc_keys}
    wrong = {k: _r(rates(by.get(k, []), thresholds)[1]) for k in ("clean", "noise_10db", "out_of_domain")}
    counts = {k: len(v) for k, v in sorted(by.items())}
    return {"voice_accuracy": accuracy, "voice_wrong_action_rate": wrong, "voice_clips": counts}


def tradeoff(outcomes: list[Outcome]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for offset in OFFSETS:
        acc, wrong = rates(outcomes, DEFAULT_THRESHOLDS.scaled(offset))
        rows.append({"offset": offset, "accuracy": _r(acc), "wrong_action_rate": _r(wrong)})
    acc, wrong = rates(outcomes, DEFAULT_THRESHOLDS, None)
    rows.append({"offset": "grammar only", "accuracy": _r(acc), "wrong_action_rate": _r(wrong)})
    acc, wrong = rates(outcomes, OPEN, None)
    rows.append({"offset": "no rejection", "accuracy": _r(acc), "wrong_action_rate": _r(wrong)})
    return rows


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def heldout_slice(clips: Iterable[Clip], every: int = HELDOUT_EVERY) -> list[Clip]:
    """One held-out clip in ``every`` of each condition, in manifest order (every room and
    every synthesizer stays in the slice)."""
    rooms: dict[str, int] = {}
    out = []
    for clip in clips:
        if clip.split != "heldout":
            continue
        seen = rooms.get(clip.condition, 0)
        rooms[clip.condition] = seen + 1
        if seen % every == 0:
            out.append(clip)
    return out


def _corpus(quick: bool, full: bool) -> Path:
    folder = CORPUS / ("quick" if quick else "full")
    if not quick and not full and not (folder / "manifest.jsonl").is_file():
        folder = CORPUS / "heldout"  # the slice needs only the held-out split generated
    if not (folder / "manifest.jsonl").is_file():
        cmd = [sys.executable, "-m", "devtools.voice_corpus", "--out", str(folder)]
        if quick:
            cmd.append("--quick")
        elif folder.name == "heldout":
            cmd += ["--split", "heldout"]
        subprocess.run(cmd, check=True, timeout=3600)
    return folder


def run_bench(quick: bool = False, full: bool | None = None) -> dict[str, object]:
    """With Whisper installed (the kiosk's default engine): its figures on a held-out slice
    (``devtools.bench_whisper``), all of the held-out split with ``--full``; the pocketsphinx
    engine's (``*_pocketsphinx``, with the trade-off curve) only with ``--full``. Without
    Whisper, the bundled engine's figures (a slice unless ``--full``)."""
    whole = os.environ.get(FULL_ENV) == "1" if full is None else full
    whole = whole or os.environ.get("VOICE_BENCH_WHOLE") == "1"
    folder = _corpus(quick, whole)
    try:
        from devtools import bench_whisper
        from devtools.whisper_model import tiny_en_model

        tiny_en_model()
    except ImportError:  # no Whisper here: the bundled engine's figures, as before
        return _pocketsphinx_figures(folder, quick, whole)
    out = bench_whisper.run(folder, every=1 if quick or whole else None)
    if whole:
        ps = _pocketsphinx_figures(folder, quick, whole)
        out["voice_accuracy_pocketsphinx"] = ps["voice_accuracy"]
        out["voice_wrong_action_rate_pocketsphinx"] = ps["voice_wrong_action_rate"]
        out["voice_tradeoff"] = ps["voice_tradeoff"]
    return out


def _pocketsphinx_figures(folder: Path, quick: bool, whole: bool) -> dict[str, object]:
    from speech.pocketsphinx_engine import PocketsphinxRecognizer

    clips = load_manifest(folder)
    chosen = [c for c in clips if c.split == "heldout"] if whole or quick else heldout_slice(clips)
    denoiser = Denoiser()  # every pass on, as the kiosk runs
    heldout = hear_in_rooms(((c, wav_path(folder, c)) for c in chosen), PocketsphinxRecognizer, denoiser)
    curves = {"heldout": tradeoff(heldout)}
    if whole or quick:
        tune = hear_in_rooms(
            ((c, wav_path(folder, c)) for c in clips if c.split == "tune"), PocketsphinxRecognizer, denoiser
        )
        curves["tune"] = tradeoff(tune)
    said = "whole corpus" if whole else "quick" if quick else f"held-out slice, 1 in {HELDOUT_EVERY}"
    return {**figures(heldout), "voice_tradeoff": curves, "voice_corpus": said}
