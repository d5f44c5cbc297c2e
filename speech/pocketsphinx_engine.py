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

import numpy as np

from core.errors import SpeechError
from speech.grammar import StepGrammar, grammar_options
from speech.ngram import arpa_bigram
from speech.openpass import step_sentences
from speech.pronounce import load_cmudict, pronunciations, write_dict
from speech.recognizer import Hypothesis

_log = logging.getLogger(__name__)
_LOG_BASE = math.log(1.0001)  # pocketsphinx's logmath base: scores come back as base**score
_NBEST = 6
VOICED_DB = 10.0  # a frame this far above the utterance's quietest tenth is speech, not room


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


def voiced_frames(pcm: bytes, frames: int) -> list[bool]:
    """Per decoder frame (10 ms), whether the audio is louder than the utterance's own floor
    by ``VOICED_DB``: the phone loop labels steady room noise as a fricative ("F"), and a
    short "yes" then looked half unexplained (its trailing noise)."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64)
    hop = 160
    count = min(frames + 1, max(1, len(samples) // hop))
    usable = samples[: count * hop].reshape(count, hop) if len(samples) >= hop else np.zeros((1, hop))
    level = 10.0 * np.log10(np.mean(usable**2, axis=1) + 1.0)
    floor = float(np.percentile(level, 10))
    loud = (level > floor + VOICED_DB).tolist()
    return [bool(x) for x in loud] + [False] * (frames + 1 - count)


def _unexplained(grammar: Any, loop: Any, frames: int, voiced: list[bool]) -> float:
    """Share of the phone loop's speech frames that the grammar's path spends on silence or
    filler: "wait" matched inside "I'm just waiting for my wife" leaves most speech unexplained.
    Only frames above the utterance's noise floor count as speech (``voiced_frames``)."""
    words = _spans(grammar.seg(), lambda w: not w.startswith(("<", "[", "+")), frames)
    phones = _spans(loop.seg(), lambda p: p != "SIL" and not p.startswith("+"), frames)
    speech = [p and v for p, v in zip(phones, voiced, strict=True)]
    total = sum(speech)
    if not total:
        return 0.0
    return sum(1 for w, s in zip(words, speech, strict=True) if s and not w) / total


class PocketsphinxRecognizer:
    engine = "pocketsphinx"
    sample_rate = 16000
    languages: tuple[str, ...] = ("en",)

    def __init__(
        self,
        model_dir: Path | None = None,
        dict_path: Path | None = None,
        *,
        phone_loop: bool = True,
        open_pass: bool = True,
        cmn_prior: str | None = None,
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
        self._pcm = bytearray()  # the utterance so far (its loudness per frame, for ``unexplained``)
        self._cmn_prior: str | None = cmn_prior
        self._loop_score: float | None = None
        self._models: set[str] = set()  # open-pass language models added, by grammar key
        self._open_enabled = open_pass
        self._open: Any = None
        self._open_known: set[str] = set()
        self._open_on = False
        self._open_hyp: Hypothesis | None = None
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
        self._set_open_model(grammar)

    def start(self) -> None:
        decoder = self._require_grammar()
        if self._cmn_prior is not None:  # every utterance from the same prior: no order effects
            decoder.set_cmn(self._cmn_prior)
        decoder.start_utt()
        self._pcm.clear()
        if self._loop is not None:
            if self._cmn_prior is not None:
                self._loop.set_cmn(self._cmn_prior)
            self._loop.start_utt()
        if self._open_on:
            self._open.start_utt()
        self._open_hyp = None

    def accept(self, pcm: bytes) -> None:
        if len(pcm) % 2:
            raise SpeechError("audio chunk has an odd number of bytes: expected 16-bit samples")
        self._require_grammar().process_raw(pcm, False, False)
        self._pcm.extend(pcm)
        if self._loop is not None:
            self._loop.process_raw(pcm, False, False)
        if self._open_on:
            self._open.process_raw(pcm, False, False)

    def finish(self) -> Hypothesis:
        decoder = self._require_grammar()
        decoder.end_utt()
        hyp = decoder.hyp()
        text = hyp.hypstr if hyp is not None else ""
        frames = max(1, int(decoder.n_frames()))
        confidence: float | None = None
        self._loop_score = None
        if self._loop is not None:
            self._loop.end_utt()
            loop = self._loop.hyp()
            if loop is not None:
                self._loop_score = _log_score(loop.score)
            if hyp is not None and self._loop_score is not None and text:
                confidence = (_log_score(hyp.score) - self._loop_score) / frames
        alternatives: tuple[tuple[str, float], ...] = ()
        unexplained: float | None = None
        if text:
            alternatives = self._alternatives(decoder, frames)
            if self._loop is not None:
                voiced = voiced_frames(bytes(self._pcm), frames)
                unexplained = _unexplained(decoder, self._loop, frames, voiced)
        self._open_hyp = self._finish_open()
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

    def open_pass(self) -> Hypothesis | None:
        """The last utterance as the step's open pass heard it (``speech.openpass``): a third
        decoder streamed beside the others with a bigram model over the step's own sentences.

        ``None`` when the step has no open pass or it heard nothing. Its confidence is its
        path against the phone loop per frame, as for the grammar.
        """
        return self._open_hyp

    def _set_open_model(self, grammar: StepGrammar) -> None:
        sentences = step_sentences(grammar, grammar_options(grammar)) if self._open_enabled else []
        self._open_on = bool(sentences)
        if not sentences:
            return
        name = "open_" + grammar.key
        words = frozenset(w for s in sentences for w in s.split())
        self._open = self._with_words(self._open, words, self._open_known)
        if name not in self._models:
            with tempfile.TemporaryDirectory(prefix="kiosk-lm-") as tmp:
                path = Path(tmp) / "step.arpa"
                path.write_text(arpa_bigram(sentences), encoding="utf-8")
                try:
                    self._open.add_lm_file(name, str(path))
                except RuntimeError as exc:
                    what = f"the {grammar.step.value} open model"
                    raise SpeechError(f"pocketsphinx rejected {what}: {exc}") from exc
            self._models.add(name)
        self._open.activate_search(name)

    def _finish_open(self) -> Hypothesis | None:
        if not self._open_on:
            return None
        self._open.end_utt()
        hyp = self._open.hyp()
        if hyp is None or not hyp.hypstr:
            return None
        frames = max(1, int(self._open.n_frames()))
        confidence = None
        if self._loop_score is not None:
            confidence = (_log_score(hyp.score) - self._loop_score) / frames
        return Hypothesis(text=hyp.hypstr, engine=self.engine, confidence=confidence)

    def close(self) -> None:
        self._models.clear()
        self._open = None
        self._open_known.clear()
        self._open_on = False
        self._decoder = None
        self._loop = None
        self._searches.clear()
        self._known.clear()

    def _require_grammar(self) -> Any:
        if self._decoder is None or not self._active:
            raise SpeechError("pocketsphinx: set a grammar before listening")
        return self._decoder

    def _add_words(self, words: frozenset[str]) -> None:
        self._decoder = self._with_words(self._decoder, words, self._known)

    def _with_words(self, decoder: Any, words: frozenset[str], known: set[str]) -> Any:
        """``decoder`` knowing ``words`` (created with them when ``None``); ``known`` is updated."""
        missing = sorted(words - known)
        if not missing:
            return decoder
        entries, guessed = pronunciations(missing, self._lexicon)
        if guessed:
            _log.info("pocketsphinx: guessed pronunciations for %s", ", ".join(guessed))
            self.guessed.update(guessed)
        if decoder is None:
            with tempfile.TemporaryDirectory(prefix="kiosk-ps-") as tmp:
                dict_file = Path(tmp) / "kiosk.dict"
                write_dict(entries, dict_file)
                decoder = self._decoder_cls(
                    hmm=self._hmm, dict=str(dict_file), lm=None, logfn="/dev/null", samprate=16000
                )
        else:
            flat = [(w, p) for w, variants in entries.items() for p in variants[:1]]
            for n, (word, phones) in enumerate(flat):
                decoder.add_word(word, phones, n == len(flat) - 1)
        known.update(missing)
        return decoder
