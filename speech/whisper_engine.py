"""Whisper (a faster-whisper CTranslate2 model, int8) as the open ear, the grammar pass beside it.

``WhisperRecognizer`` is one ``Recognizer``: the step's grammar is decoded by pocketsphinx,
streamed while the patient speaks (one decoder: its phone loop and bigram open pass are not
loaded, Whisper makes them redundant), and the same audio is kept for Whisper. ``finish()``
returns the grammar's hypothesis at once; ``open_pass()`` decodes the utterance with Whisper.

The model is run by ``ctranslate2`` itself, its features and vocabulary by ``speech.whisper_io``
(faster-whisper's own imports would cost 70 MB of the kiosk's memory budget).
Whisper hears only the utterance, padded to ``window_s`` rather than the usual 30 s: the
encoder's cost grows with the window (2.2 s of speech: 41 ms at its own length, 357 ms in a
30 s window on the dev box). Its prompt carries the step's names (first names on offer,
providers), never an answer word: prompt words leak into transcripts.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import SpeechError
from speech.grammar import StepGrammar
from speech.intents import Name, Step
from speech.models import verify_model
from speech.recognizer import Hypothesis, Recognizer
from speech.whisper_io import Vocabulary, log_mel

WINDOW_S = 6.0
"""Whisper hears the utterance padded with silence to at least this long (see module doc)."""
MAX_TOKENS = 48
"""A check-in answer is a few words; a transcript this long is a hallucination loop."""
BEAM_SIZE = 5
"""Beam search: on 73 clean tune clips 56 meant the right thing against 50 greedy, at no extra
time on the dev box (greedy decodes loop longer)."""
DATE_PROMPT = "Date of birth."
"""The date step's prompt: the topic only (no date in it; dates came out more often whole)."""
TOKENS_PER_S = 5.0
"""At most this many tokens per second of speech (plus 8): a short "yes" padded with silence
can loop ("Yes. Yes. Yes. ..."); the cap ends a loop early (its compression ratio gives it away)."""


@dataclass(frozen=True)
class WhisperModelInfo:
    """The model in use, as ``kiosk doctor`` names it."""

    path: Path
    name: str
    multilingual: bool


class WhisperRecognizer:
    """The grammar pass (pocketsphinx) streamed live, Whisper on demand over the same audio."""

    engine = "whisper"
    sample_rate = 16000

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int = 2,
        grammar_pass: Recognizer | None = None,
        window_s: float = WINDOW_S,
        verify: bool = True,
        beam_size: int = BEAM_SIZE,
    ) -> None:
        self._model: Any = load_whisper_model(model_dir, threads, verify)
        multilingual = bool(self._model.is_multilingual)
        self._vocabulary = Vocabulary.load(model_dir)
        self._n_mels = int(self._model.n_mels)
        self.info = WhisperModelInfo(model_dir, model_dir.name, multilingual)
        if grammar_pass is None:
            from speech.pocketsphinx_engine import PocketsphinxRecognizer

            grammar_pass = PocketsphinxRecognizer(phone_loop=False, open_pass=False)
        self.grammar_pass = grammar_pass
        self.languages = grammar_pass.languages
        self.window_s = window_s
        self.beam_size = beam_size
        self._pcm = bytearray()
        self._raw = False  # this utterance's audio came through accept_raw
        self._prompt: list[int] = []
        self._heard: Hypothesis | None = None
        self._decoded = False
        self._encoded: Any = None  # the last utterance's encoder output, for ``score_texts``
        self._frames = 0
        self._lock = threading.Lock()  # one decode at a time (CTranslate2 is not re-entrant per model)

    def set_grammar(self, grammar: StepGrammar) -> None:
        """The grammar pass keeps the booked dates' prior (it hears them better); a date it pulled
        onto a booked neighbour disagrees with the date Whisper heard, and the kiosk asks again."""
        self.grammar_pass.set_grammar(grammar)
        words = whisper_prompt(grammar)
        self._prompt = self._vocabulary.encode(" " + words) if words else []

    def start(self) -> None:
        self.grammar_pass.start()
        self._pcm.clear()
        self._raw = False
        self._heard = None
        self._decoded = False
        self._encoded = None

    def accept(self, pcm: bytes) -> None:
        self.grammar_pass.accept(pcm)
        if not self._raw:
            self._pcm.extend(pcm)

    def accept_raw(self, pcm: bytes) -> None:
        """The same audio before noise suppression: what Whisper hears when it is given (the
        listener gives it; ``accept`` then feeds the grammar pass alone)."""
        if not self._raw:
            self._raw = True
            self._pcm.clear()
        self._pcm.extend(pcm)

    def finish(self) -> Hypothesis:
        """The grammar pass's hypothesis (Whisper has not run yet: ``open_pass``)."""
        return self.grammar_pass.finish()

    def open_pass(self) -> Hypothesis | None:
        """The utterance as Whisper heard it (decoded on the first call; ``None``: nothing)."""
        if not self._decoded:
            self._heard = self.transcribe(bytes(self._pcm))
            self._decoded = True
        return self._heard

    def transcribe(self, pcm: bytes) -> Hypothesis | None:
        """Whisper's transcript of int16 mono ``pcm`` at 16 kHz, with its own measures."""
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32) / 32768.0
        self._encoded = None
        if len(samples) < self.sample_rate // 10:
            return None
        pad = max(160, int(self.window_s * self.sample_rate) - len(samples))
        budget = min(MAX_TOKENS, 8 + int(TOKENS_PER_S * len(samples) / self.sample_rate))
        import ctranslate2

        features = log_mel(np.concatenate([samples, np.zeros(pad, np.float32)]), self._n_mels)
        with self._lock:
            encoded = self._model.encode(ctranslate2.StorageView.from_array(features[None]))
            prompt = self._prompt_tokens()
            result = self._model.generate(
                encoded, [prompt], beam_size=self.beam_size, max_length=len(prompt) + budget,
                return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            )[0]  # fmt: skip
        self._encoded, self._frames = encoded, int(features.shape[-1])
        del features
        _trim_heap()  # the encoder's activations: tens of MB, freed but kept by malloc otherwise
        tokens = [t for t in result.sequences_ids[0] if t < self._vocabulary.eot]
        raw = self._vocabulary.decode(tokens).strip()
        text = unlooped(raw)
        if not text:
            return None
        cumulative = float(result.scores[0]) * len(tokens)
        return Hypothesis(
            text=text,
            engine=self.engine,
            avg_logprob=cumulative / (len(tokens) + 1),
            no_speech_prob=float(result.no_speech_prob),
            compression_ratio=compression_ratio(raw),
        )

    def score_texts(self, texts: Sequence[str]) -> list[float]:
        """Each text's log-probability given the utterance last transcribed (forced decoding:
        every token's probability after the ones before it, ``speech.closed_set``'s measure)."""
        if self._encoded is None or not texts:
            return [float("-inf")] * len(texts)
        import ctranslate2

        tokens = [self._vocabulary.encode(" " + t.strip()) or [self._vocabulary.eot] for t in texts]
        start = self._vocabulary.start(self.info.multilingual)
        with self._lock:
            encoded = np.asarray(self._encoded)
            batch = ctranslate2.StorageView.from_array(np.repeat(encoded, len(tokens), axis=0))
            results = self._model.align(batch, start, tokens, self._frames)
        return [float(np.sum(np.log(np.maximum(np.asarray(r.text_token_probs), 1e-12)))) for r in results]

    def _prompt_tokens(self) -> list[int]:
        sequence = self._vocabulary.start(self.info.multilingual)
        if not self._prompt:
            return sequence
        return [self._vocabulary.sot_prev, *self._prompt[-100:], *sequence]

    def close(self) -> None:
        self.grammar_pass.close()
        self._model = None
        self._encoded = None


def load_whisper_model(model_dir: Path, threads: int, verify: bool) -> Any:
    """A CTranslate2 Whisper model at int8 on the CPU (checked against its manifest first
    when ``verify``); every way it cannot load is a ``SpeechError`` naming the directory."""
    if verify:
        verify_model(model_dir, "whisper")
    try:
        import ctranslate2
    except ImportError as exc:
        raise SpeechError(f"ctranslate2 is not installed ({exc.name}): pip install faster-whisper") from exc
    try:
        model = ctranslate2.models.Whisper(
            str(model_dir), device="cpu", compute_type="int8", intra_threads=threads, inter_threads=1
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise SpeechError(f"whisper model {model_dir} cannot be loaded: {exc}") from exc
    _trim_heap()  # the float16 weights converted to int8 leave freed pages behind
    return model


def _trim_heap() -> None:
    """Give freed heap pages back to the system (glibc only; elsewhere nothing to do)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def whisper_prompt(grammar: StepGrammar) -> str:
    """Names the step offers (the first names on the list) or its topic, never an answer word:
    prompt words turn up in transcripts where nobody said them."""
    if grammar.step is Step.CHOOSE_NAME:
        names = sorted({i.first_name for i in grammar.phrases.values() if isinstance(i, Name)})
        return ", ".join(names) + "." if names else ""
    if grammar.dates:
        return DATE_PROMPT
    return ""


def unlooped(text: str) -> str:
    """The first round of a transcript that repeats itself ("Yes. Yes. Yes." -> "Yes."; "October
    24, 2006 October 24, 2006" -> "October 24, 2006"); other text unchanged. Whisper's loops
    repeat what it heard; the raw text's compression ratio still tells that it looped."""
    words = text.split()
    for period in range(1, len(words) // 2 + 1):
        unit = [w.strip(".,?!").lower() for w in words[:period]]
        rest = [w.strip(".,?!").lower() for w in words[period:]]
        if all(w == unit[i % period] for i, w in enumerate(rest)):
            return " ".join(words[:period])
    return text


def compression_ratio(text: str) -> float:
    """Bytes over zlib-compressed bytes: a repetition loop compresses well (Whisper's own measure)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data))
