"""Speech out: a non-blocking ``Speaker`` over child-process synthesizers (Piper, and
pyttsx3/espeak-ng: ``speech.synth_process``), half-duplex gating and captions.

A turn is spoken sentence by sentence (``speech.sayable.split_sentences``): a sentence
already rendered (a fixed prompt, or one naming today's patients, rendered when the day
arrived) plays from the ``PromptCache`` at once; the others are asked of the synthesizer
together and each plays as soon as it is rendered, the next rendering while this one
plays. The first sentence of a turn nobody has heard yet is cut at its first comma, so
its first audio is a few words long.
"""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from core.clock import Clock, SystemClock
from core.worker import Worker
from speech.audio import Audio
from speech.prompt_cache import CacheKey, PromptCache
from speech.sayable import first_piece, split_sentences
from speech.synth_process import DEFAULT_VOICES, Pyttsx3Synthesizer, Synthesizer

SENTENCE_GAP_S = 0.18
"""Silence between two sentences of a turn (each is rendered on its own)."""
PIECE_GAP_S = 0.0
"""Silence after a first piece cut off its sentence (Piper's own trailing silence is the pause)."""


@dataclass(frozen=True)
class Route:
    """How one language is spoken: ``voice`` of ``synthesizer``; ``identity`` keys its
    renderings (engine, voice and the voice file's hash: ``speech.voices.VoiceChoice``)."""

    synthesizer: Synthesizer
    voice: str
    identity: str


@dataclass(frozen=True)
class _Piece:
    text: str
    audio: Audio | None
    gap_s: float


class HalfDuplex:
    """The kiosk does not listen to itself: listening is muted while speaking plus a tail."""

    def __init__(self, clock: Clock | None = None, tail_s: float = 0.3) -> None:
        self._clock = clock or SystemClock()
        self._tail_s = tail_s
        self._lock = threading.Lock()
        self._speaking = 0
        self._muted_until = 0.0

    def begin_speaking(self) -> None:
        with self._lock:
            self._speaking += 1

    def end_speaking(self) -> None:
        with self._lock:
            self._speaking = max(0, self._speaking - 1)
            self._muted_until = self._clock.monotonic() + self._tail_s

    @property
    def muted(self) -> bool:
        with self._lock:
            return self._speaking > 0 or self._clock.monotonic() < self._muted_until


class AudioSink(Protocol):
    def play(self, audio: Audio) -> None:
        """Play ``audio`` to the end (blocking the speaker's own thread only)."""
        ...


class PlaybackMeter(Protocol):
    """Told around each clip the speaker plays (``speech.activity.VoiceMeter``)."""

    def playing(self, audio: Audio) -> None: ...
    def played(self) -> None: ...


class MemorySink:
    """Keeps what was played (tests, the WAV debug path): ``pieces`` as played, ``played``
    one ``Audio`` per turn (the speaker says where a turn ends: ``turn_ended``)."""

    def __init__(self) -> None:
        self.pieces: list[Audio] = []
        self._turns: list[Audio] = []
        self._open: list[Audio] = []
        self._lock = threading.Lock()

    def play(self, audio: Audio) -> None:
        with self._lock:
            self.pieces.append(audio)
            self._open.append(audio)

    def turn_ended(self) -> None:
        with self._lock:
            if self._open:
                self._turns.append(_joined(self._open, 0.0))
                self._open = []

    @property
    def played(self) -> list[Audio]:
        with self._lock:
            return self._turns + ([_joined(self._open, 0.0)] if self._open else [])


class WavSink:
    """Writes what is played into one WAV file, piece after piece as it is played (the
    first piece's rate; later ones resampled to it). ``close()`` finishes the file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: wave.Wave_write | None = None
        self._rate = 0
        self._lock = threading.Lock()

    def play(self, audio: Audio) -> None:
        with self._lock:
            if self._file is None:
                self._file = wave.open(str(self.path), "wb")  # noqa: SIM115 - closed by close()
                self._file.setnchannels(1)
                self._file.setsampwidth(2)
                self._file.setframerate(audio.rate)
                self._rate = audio.rate
            self._file.writeframes(audio.resampled(self._rate).pcm())

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


@dataclass(frozen=True)
class Utterance:
    text: str
    lang: str


class Speaker:
    """Say things without blocking the caller: caption now, audio on the ``kiosk-speaker``
    worker (which owns the audio device). A synthesizer or sink that raises is counted in
    ``worker.health()`` and kept in ``errors``; the next utterance is spoken as usual.
    ``meter`` is told when each piece starts playing and when the turn has played (the
    face's mouth follows each piece's own envelope). ``routes`` chooses the synthesizer
    and voice per language (``speech.wiring``); without them ``synthesizer`` speaks
    ``voices``. ``prerender`` fills the cache on its own worker, between utterances."""

    def __init__(  # noqa: PLR0917 - wiring
        self,
        synthesizer: Synthesizer,
        sink: AudioSink,
        half_duplex: HalfDuplex,
        on_caption: Callable[[str], None] = lambda _text: None,
        voices: dict[str, str] | None = None,
        rate_wpm: int = 160,
        cache_size: int = 384,
        stall_s: float = 60.0,
        meter: PlaybackMeter | None = None,
        routes: Mapping[str, Route] | None = None,
        cache: PromptCache | None = None,
        closing: Sequence[Synthesizer] = (),
    ) -> None:
        self._synth = synthesizer
        self._sink = sink
        self._duplex = half_duplex
        self._on_caption = on_caption
        self._voices = voices or dict(DEFAULT_VOICES)
        self._routes = dict(routes or {})
        self._closing = tuple(closing)  # synthesizers this speaker owns (closed with it)
        self._rate = rate_wpm
        self._meter = meter
        self._cache = cache if cache is not None else PromptCache(None, cache_size)
        self._pending_lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
        self.errors: list[str] = []
        # One utterance synthesizes (bounded by the synthesizer's timeout) and plays: longer is stuck.
        self._worker = Worker("kiosk-speaker", stall_s=stall_s)
        self._worker.start()
        self._prerenderer = Worker("kiosk-tts-prerender", stall_s=stall_s)
        self._prerenderer.start()

    @property
    def worker(self) -> Worker:
        return self._worker

    @property
    def cache(self) -> PromptCache:
        return self._cache

    def route(self, lang: str) -> Route:
        """The synthesizer and voice ``lang`` is spoken with (English's for an unknown language)."""
        route = self._routes.get(lang) or self._routes.get("en")
        if route is not None:
            return route
        voice = self._voices.get(lang, self._voices["en"])
        engine = getattr(self._synth, "engine", type(self._synth).__name__)
        return Route(self._synth, voice, f"{engine}:{voice}")

    def responsive(self) -> bool:
        """The speaker's worker is alive and not stuck in one utterance (for the watchdog)."""
        return self._worker.responsive()

    def say(self, text: str, lang: str = "en") -> None:
        """Show ``text`` as a caption and queue it to be spoken in ``lang``'s voice."""
        self._on_caption(text)
        with self._pending_lock:
            self._pending += 1
            self._idle.clear()
        if not self._worker.post(self._speak, Utterance(text, lang)):
            self._done_one()  # closed: captions only

    def render(self, text: str, lang: str = "en", *, persist: bool = False) -> Audio:
        """The audio for ``text`` (each sentence cached), on the caller's thread.
        ``persist``: keep the renderings on disk too (only for sentences naming no one)."""
        route = self.route(lang)
        pieces: list[Audio] = []
        for sentence in split_sentences(text) or (text,):
            key = self._key(route, sentence)
            audio = self._cache.get(key)
            if audio is None:
                audio = route.synthesizer.synthesize(sentence, route.voice, self._rate)
                self._cache.put(key, audio, persist=persist)
            pieces.append(audio)
        return _joined(pieces, SENTENCE_GAP_S)

    def prerender(self, sentences: Sequence[str], lang: str, *, persist: bool = False) -> None:
        """Render ``sentences`` not yet cached, one at a time, each when nothing is being
        said (a patient who walks up waits at most for the one sentence under way)."""
        for sentence in sentences:
            self._prerenderer.post(self._prerender_one, sentence, lang, persist)

    def prerender_from(self, produce: Callable[[], Iterable[tuple[str, str]]]) -> None:
        """Pre-render what ``produce()`` returns — (sentence, language) pairs, kept in memory
        only — calling it on the pre-render worker (it may wait for another thread)."""

        def job() -> None:
            for sentence, lang in produce():
                self._prerenderer.post(self._prerender_one, sentence, lang, False)

        self._prerenderer.post(job)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a route of their own."""
        return tuple(self._routes) or tuple(self._voices)

    def prerendered(self, timeout_s: float) -> bool:
        """True once every ``prerender`` asked so far is done (tests, the bench)."""
        deadline = time.monotonic() + timeout_s
        try:
            while True:  # a job may post more jobs (``prerender_from``): until none is left
                self._prerenderer.call(lambda: None, timeout=max(0.0, deadline - time.monotonic()))
                if not self._prerenderer.has_work():
                    return True
        except TimeoutError:
            return False

    def wait_idle(self, timeout_s: float) -> bool:
        """True once everything queued has been spoken (tests, shutdown)."""
        return self._idle.wait(timeout_s)

    def warm_up(self) -> None:
        """Start each language's synthesizer and load its voice, on the pre-render worker."""
        seen: set[int] = set()
        for lang, route in self._routes.items():
            warm = getattr(route.synthesizer, "warm_up", None)
            if warm is not None and id(route) not in seen:
                seen.add(id(route))
                self._prerenderer.post(self._warm_one, warm, route.voice, lang)

    def close(self) -> None:
        self._prerenderer.stop(timeout=5)
        self._worker.stop(timeout=5)
        for synthesizer in self._closing:
            synthesizer.close()

    def _warm_one(self, warm: Callable[[str], None], voice: str, lang: str) -> None:
        del lang  # named in the worker's log when it raises
        warm(voice)

    def _key(self, route: Route, sentence: str) -> CacheKey:
        return (route.identity, self._rate, sentence)

    def _prerender_one(self, sentence: str, lang: str, persist: bool) -> None:
        if self._key(self.route(lang), sentence) in self._cache:
            return
        self._idle.wait(60.0)
        self.render(sentence, lang, persist=persist)

    def _plan(self, route: Route, text: str) -> list[_Piece]:
        """The turn's pieces, each with its cached audio (or ``None``: to be rendered)."""
        pieces: list[_Piece] = []
        for sentence in split_sentences(text) or (text,):
            audio = self._cache.get(self._key(route, sentence))
            if audio is None and not pieces:  # the turn's first audio: a short clause first
                *heads, rest = first_piece(sentence)
                for head in heads:
                    pieces.append(_Piece(head, self._cache.get(self._key(route, head)), PIECE_GAP_S))
                pieces.append(_Piece(rest, self._cache.get(self._key(route, rest)), SENTENCE_GAP_S))
                continue
            pieces.append(_Piece(sentence, audio, SENTENCE_GAP_S))
        return pieces

    def _speak(self, item: Utterance) -> None:
        route = self.route(item.lang)
        pieces = self._plan(route, item.text)
        rendered = _stream(route, [p.text for p in pieces if p.audio is None], self._rate)
        speaking = False
        try:
            for n, piece in enumerate(pieces):
                audio = piece.audio
                if audio is None:
                    audio = next(rendered)
                    self._cache.put(self._key(route, piece.text), audio)
                if not speaking:
                    self._duplex.begin_speaking()
                    speaking = True
                if self._meter is not None:
                    self._meter.playing(audio)
                last = n == len(pieces) - 1
                self._sink.play(audio if last else _joined([audio], 0.0, tail_s=piece.gap_s))
        except Exception as exc:
            self.errors.append(str(exc))
            raise  # the worker counts it and logs its type; the next utterance goes on
        finally:
            rendered.close()
            if speaking:
                if self._meter is not None:
                    self._meter.played()
                self._duplex.end_speaking()
                turn_ended = getattr(self._sink, "turn_ended", None)
                if turn_ended is not None:
                    turn_ended()
            self._done_one()

    def _done_one(self) -> None:
        with self._pending_lock:
            self._pending = max(0, self._pending - 1)
            if self._pending == 0:
                self._idle.set()


def _stream(route: Route, texts: list[str], rate_wpm: int) -> Generator[Audio, None, None]:
    """The synthesizer's own stream when it has one, else one synthesis after another.
    Closing this closes the synthesizer's stream (which drains what nobody will play)."""
    if not texts:
        return
    stream = getattr(route.synthesizer, "stream", None)
    if stream is not None:
        yield from stream(texts, route.voice, rate_wpm)
        return
    for text in texts:
        yield route.synthesizer.synthesize(text, route.voice, rate_wpm)


def _joined(pieces: Sequence[Audio], gap_s: float, tail_s: float = 0.0) -> Audio:
    """``pieces`` (one rate: the first's) with ``gap_s`` of silence between them and
    ``tail_s`` after."""
    if not pieces:
        return Audio(np.zeros(0, dtype=np.int16), 16000)
    rate = pieces[0].rate
    gap = np.zeros(round(gap_s * rate), dtype=np.int16)
    parts: list[np.ndarray] = []
    for n, audio in enumerate(pieces):
        if n:
            parts.append(gap)
        parts.append(audio.resampled(rate).samples)
    parts.append(np.zeros(round(tail_s * rate), dtype=np.int16))
    return Audio(np.concatenate(parts).astype(np.int16), rate)


def silence(seconds: float, rate: int = 16000) -> Audio:
    return Audio(np.zeros(round(seconds * rate), dtype=np.int16), rate)


__all__ = [
    "DEFAULT_VOICES",
    "AudioSink",
    "HalfDuplex",
    "MemorySink",
    "PlaybackMeter",
    "Pyttsx3Synthesizer",
    "Route",
    "Speaker",
    "Synthesizer",
    "Utterance",
    "WavSink",
    "silence",
]
