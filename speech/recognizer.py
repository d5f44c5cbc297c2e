"""One recognizer interface, two engines (pocketsphinx, vosk), chosen by settings.

A recognizer takes 16-bit mono PCM at its ``sample_rate`` in chunks between ``start()``
and ``finish()``, restricted to the grammar last set. ``decode`` runs one whole clip.
Engines import their libraries lazily so the rest of the kiosk starts without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.errors import SpeechError
from speech.audio import Audio
from speech.grammar import StepGrammar

ENGINES = ("auto", "pocketsphinx", "vosk")


@dataclass(frozen=True)
class Hypothesis:
    """What the engine heard: the words (empty when nothing matched) and its engine.

    ``confidence``: how well the grammar's best path fits against an unconstrained phone
    loop, per frame (pocketsphinx; ``None`` when the engine gives no such score).
    ``alternatives``: runner-up texts with their path scores per frame, best first.
    ``unexplained``: the share of speech the grammar's path spent on silence or filler
    (words outside the grammar around a phrase it found); ``None`` when not measured.
    """

    text: str
    engine: str
    confidence: float | None = None
    alternatives: tuple[tuple[str, float], ...] = ()
    unexplained: float | None = None


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


def make_recognizer(engine: str = "auto", vosk_model_dir: str = "") -> Recognizer:
    """The configured engine: "auto" is vosk when a model directory is set, else pocketsphinx."""
    if engine not in ENGINES:
        raise SpeechError(f"unknown speech engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "vosk" or (engine == "auto" and vosk_model_dir):
        if not vosk_model_dir:
            raise SpeechError("speech engine 'vosk' needs speech.vosk_model_dir")
        from speech.vosk_engine import VoskRecognizer

        return VoskRecognizer(Path(vosk_model_dir))
    from speech.pocketsphinx_engine import PocketsphinxRecognizer

    return PocketsphinxRecognizer()
