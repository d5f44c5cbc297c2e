"""pocketsphinx 5 (the PyPI wheel's US English model) in finite-state-grammar mode.

Each ``StepGrammar`` becomes an epsilon-free FSG (``StepGrammar.word_graph``) and a named
search, compiled once and switched with ``activate_search``. The dictionary holds only
the words the grammars use: CMUdict pronunciations, a letter-to-sound guess for the rest.

Confidence: a second decoder, a free phone loop (the wheel's ``en-us-phone.lm.bin``), hears
the same audio streamed beside the grammar. A flat grammar always returns its nearest
phrase; the phone loop returns the best the acoustics can do with no grammar at all. The
gap between the two path scores per frame (``Hypothesis.confidence``, 0 or above: the
grammar fits as well as anything could; very negative: the words are not the grammar's)
is what ``speech.confidence.decide`` thresholds. ``nbest`` gives the runner-up phrase.
"""

from __future__ import annotations

import logging
import math
import tempfile
from pathlib import Path
from typing import Any

from core.errors import SpeechError
from speech.grammar import StepGrammar
from speech.pronounce import load_cmudict, pronunciations, write_dict
from speech.recognizer import Hypothesis

_log = logging.getLogger(__name__)
_LOG_BASE = math.log(1.0001)  # pocketsphinx's logmath base: scores come back as base**score
_NBEST = 6


def _log_score(value: float) -> float:
    """A score the Python API returned as a probability, back in logmath units."""
    return math.log(value) / _LOG_BASE if value > 0 else -1e9


def _spans(segments: Any, keep: Any, frames: int) -> list[bool]:
    out = [False] * (frames + 1)
    for seg in segments or ():
        if keep(seg.word):
            for f in range(max(0, seg.start_frame), min(frames, seg.end_frame) + 1):
                out[f] = True
    return out


def _unexplained(grammar: Any, loop: Any, frames: int) -> float:
    """Share of the phone loop's speech frames that the grammar's path spends on silence or
    filler: "wait" matched inside "I'm just waiting for my wife" leaves most speech unexplained."""
    words = _spans(grammar.seg(), lambda w: not w.startswith(("<", "[", "+")), frames)
    phones = _spans(loop.seg(), lambda p: p != "SIL" and not p.startswith("+"), frames)
    speech = sum(phones)
    if not speech:
        return 0.0
    return sum(1 for w, p in zip(words, phones, strict=True) if p and not w) / speech


class PocketsphinxRecognizer:
    engine = "pocketsphinx"
    sample_rate = 16000
    languages: tuple[str, ...] = ("en",)

    def __init__(
        self, model_dir: Path | None = None, dict_path: Path | None = None, *, phone_loop: bool = True
    ) -> None:
        try:
            from pocketsphinx import Decoder, get_model_path
        except ImportError as exc:  # pragma: no cover - a packaging fault
            raise SpeechError(f"pocketsphinx is not installed: {exc}") from exc
        self._hmm = str(model_dir or get_model_path("en-us/en-us"))
        self._lexicon_path = str(dict_path or get_model_path("en-us/cmudict-en-us.dict"))
        if not Path(self._hmm, "mdef").is_file():
            raise SpeechError(f"pocketsphinx model {self._hmm}: no acoustic model (mdef missing)")
        self._lexicon = load_cmudict(self._lexicon_path)
        self._decoder_cls = Decoder
        self._decoder: Any = None
        self._known: set[str] = set()
        self._searches: set[str] = set()
        self._active = ""
        self.guessed: set[str] = set()  # words pronounced by the letter-to-sound fallback
        self._loop: Any = None
        if phone_loop:
            self._loop = Decoder(
                hmm=self._hmm,
                allphone=get_model_path("en-us/en-us-phone.lm.bin"),
                lm=None,
                logfn="/dev/null",
                samprate=16000,
            )

    def set_grammar(self, grammar: StepGrammar) -> None:
        if grammar.lang not in self.languages:
            raise SpeechError(f"pocketsphinx has no {grammar.lang!r} model; use vosk for that language")
        self._add_words(grammar.words)
        decoder = self._decoder
        if grammar.key not in self._searches:
            graph = grammar.word_graph()
            try:
                fsg = decoder.create_fsg(grammar.key, graph.start, graph.final, list(graph.arcs))
                decoder.add_fsg(grammar.key, fsg)
            except (ValueError, RuntimeError) as exc:
                raise SpeechError(f"pocketsphinx rejected the {grammar.step.value} grammar: {exc}") from exc
            self._searches.add(grammar.key)
        decoder.activate_search(grammar.key)
        self._active = grammar.key

    def start(self) -> None:
        self._require_grammar().start_utt()
        if self._loop is not None:
            self._loop.start_utt()

    def accept(self, pcm: bytes) -> None:
        if len(pcm) % 2:
            raise SpeechError("audio chunk has an odd number of bytes: expected 16-bit samples")
        self._require_grammar().process_raw(pcm, False, False)
        if self._loop is not None:
            self._loop.process_raw(pcm, False, False)

    def finish(self) -> Hypothesis:
        decoder = self._require_grammar()
        decoder.end_utt()
        hyp = decoder.hyp()
        text = hyp.hypstr if hyp is not None else ""
        frames = max(1, int(decoder.n_frames()))
        confidence: float | None = None
        if self._loop is not None:
            self._loop.end_utt()
            loop = self._loop.hyp()
            if hyp is not None and loop is not None and text:
                confidence = (_log_score(hyp.score) - _log_score(loop.score)) / frames
        alternatives: tuple[tuple[str, float], ...] = ()
        unexplained: float | None = None
        if text:
            alternatives = self._alternatives(decoder, frames)
            if self._loop is not None:
                unexplained = _unexplained(decoder, self._loop, frames)
        return Hypothesis(
            text=text,
            engine=self.engine,
            confidence=confidence,
            alternatives=alternatives,
            unexplained=unexplained,
        )

    @staticmethod
    def _alternatives(decoder: Any, frames: int) -> tuple[tuple[str, float], ...]:
        """The n-best phrases (distinct texts) with their path scores per frame, best first."""
        out: dict[str, float] = {}
        try:
            for n, alt in enumerate(decoder.nbest()):
                if n >= _NBEST or alt is None:
                    break
                score = _log_score(alt.score) / frames
                out[alt.hypstr] = max(score, out.get(alt.hypstr, -1e9))
        except (RuntimeError, ValueError):  # no lattice for this utterance: no runners-up
            return ()
        return tuple(sorted(out.items(), key=lambda kv: -kv[1]))

    def close(self) -> None:
        self._decoder = None
        self._loop = None
        self._searches.clear()
        self._known.clear()

    def _require_grammar(self) -> Any:
        if self._decoder is None or not self._active:
            raise SpeechError("pocketsphinx: set a grammar before listening")
        return self._decoder

    def _add_words(self, words: frozenset[str]) -> None:
        missing = sorted(words - self._known)
        if not missing:
            return
        entries, guessed = pronunciations(missing, self._lexicon)
        if guessed:
            _log.info("pocketsphinx: guessed pronunciations for %s", ", ".join(guessed))
            self.guessed.update(guessed)
        if self._decoder is None:
            with tempfile.TemporaryDirectory(prefix="kiosk-ps-") as tmp:
                dict_file = Path(tmp) / "kiosk.dict"
                write_dict(entries, dict_file)
                self._decoder = self._decoder_cls(
                    hmm=self._hmm, dict=str(dict_file), lm=None, logfn="/dev/null", samprate=16000
                )
        else:
            flat = [(w, p) for w, variants in entries.items() for p in variants[:1]]
            for n, (word, phones) in enumerate(flat):
                self._decoder.add_word(word, phones, n == len(flat) - 1)
        self._known.update(missing)
