"""One recognizer interface, three engines (whisper, pocketsphinx, vosk), chosen by settings.

A recognizer takes 16-bit mono PCM at its ``sample_rate`` in chunks between ``start()``
and ``finish()``, restricted to the grammar last set. ``decode`` runs one whole clip.
Engines import their libraries lazily so the rest of the kiosk starts without them.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.errors import SpeechError
from speech.audio import Audio
from speech.grammar import StepGrammar

ENGINES = ("auto", "whisper", "pocketsphinx", "vosk")

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hypothesis:
    """What the engine heard: the words (empty when nothing matched) and its engine.

    ``confidence``: how well the grammar's best path fits against an unconstrained phone
    loop, per frame (pocketsphinx; ``None`` when the engine gives no such score).
    ``alternatives``: runner-up texts with their path scores per frame, best first.
    ``unexplained``: the share of speech the grammar's path spent on silence or filler
    (words outside the grammar around a phrase it found); ``None`` when not measured.
    ``avg_logprob``, ``no_speech_prob``, ``compression_ratio``: Whisper's own measures of
    its transcript (``speech.whisper_engine``; ``None`` from other engines).
    """

    text: str
    engine: str
    confidence: float | None = None
    alternatives: tuple[tuple[str, float], ...] = ()
    unexplained: float | None = None
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None


class Recognizer(Protocol):
    engine: str
    sample_rate: int
    languages: tuple[str, ...]

    def set_grammar(self, grammar: StepGrammar) -> None:
        """Restrict recognition to ``grammar`` (compiled once, cached by ``grammar.key``)."""
        ...

    def start(self) -> None:
        """Begin an utterance."""
        ...

    def accept(self, pcm: bytes) -> None:
        """Feed int16 little-endian mono samples at ``sample_rate``."""
        ...

    def finish(self) -> Hypothesis:
        """End the utterance and return what was heard."""
        ...

    def close(self) -> None: ...


def decode(recognizer: Recognizer, audio: Audio, chunk_ms: int = 100) -> Hypothesis:
    """Recognize one clip (resampled to the engine's rate), streamed in chunks."""
    clip = audio.resampled(recognizer.sample_rate)
    recognizer.start()
    for chunk in clip.chunks(chunk_ms):
        recognizer.accept(chunk.astype("<i2").tobytes())
    return recognizer.finish()


def make_recognizer(
    engine: str = "auto",
    vosk_model_dir: str = "",
    *,
    whisper_model: str = "",
    models_dir: str = "",
    threads: int = 2,
) -> Recognizer:
    """The configured engine. "auto": vosk when a vosk model directory is set, else whisper
    when a Whisper model is configured or installed under ``models_dir``, else pocketsphinx.

    A Whisper model that is configured but missing (or faster-whisper absent) is one warning
    line and the bundled pocketsphinx engine; a model whose files changed since install is
    refused (``SpeechError``): it is never loaded.
    """
    if engine not in ENGINES:
        raise SpeechError(f"unknown speech engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "vosk" or (engine == "auto" and vosk_model_dir):
        if not vosk_model_dir:
            raise SpeechError("speech engine 'vosk' needs speech.vosk_model_dir")
        from speech.vosk_engine import VoskRecognizer

        return VoskRecognizer(Path(vosk_model_dir))
    from speech.pocketsphinx_engine import PocketsphinxRecognizer

    if engine in ("auto", "whisper"):
        model, why = whisper_model_path(whisper_model, models_dir)
        if model is None and (engine == "whisper" or whisper_model):
            _log.warning("speech: %s; listening with the bundled pocketsphinx engine", why)
        if model is not None:
            if importlib.util.find_spec("ctranslate2") is None:
                _log.warning("speech: faster-whisper is not installed; listening with pocketsphinx")
            else:
                from speech.whisper_engine import WhisperRecognizer

                return WhisperRecognizer(model, threads=threads)
    return PocketsphinxRecognizer()


def whisper_model_path(configured: str, models_dir: str = "") -> tuple[Path | None, str]:
    """The Whisper model to load: ``configured`` when set (``None`` with the reason when it is
    not there), else the model ``kiosk speech install-model`` put under ``models_dir`` (an
    English-only one before a multilingual one, which ``speech.whisper_es`` uses for Spanish)."""
    from speech.models import installed_models

    if configured:
        path = Path(configured)
        if not (path / "model.bin").is_file():
            return None, f"no Whisper model at {path} (speech.whisper_model)"
        return path, ""
    from speech.whisper_es import is_multilingual

    found = installed_models(Path(models_dir), "whisper") if models_dir else []
    if not found:
        return None, f"no Whisper model installed under {models_dir or 'speech.models_dir'}"
    return sorted(found, key=is_multilingual)[0], ""  # English-only first: base is Spanish's
