"""Speech out: pyttsx3 + espeak-ng in a worker process, a non-blocking ``Speaker``,
half-duplex gating and captions.

pyttsx3 2.99's espeak driver prints "Audio saved to ..." on stdout, remembers the last
``save_to_file`` target (a later ``say`` would write there) and plays through ``aplay``.
So it only ever runs in a child process, only through ``save_to_file`` into a fresh temp
file, with stdout sent to /dev/null; the kiosk plays the samples itself. A hung or slow
synthesis costs a timeout and a restarted worker, never a blocked UI or flow.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

import numpy as np

from core.clock import Clock, SystemClock
from core.errors import SpeechError
from core.worker import Worker
from speech.audio import Audio, decode_pcm

DEFAULT_VOICES = {"en": "en-us", "es": "es-419"}


class Synthesizer(Protocol):
    def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio: ...

    def close(self) -> None: ...


class Pyttsx3Synthesizer:
    """pyttsx3/espeak-ng in a child process; ``timeout_s`` bounds each synthesis."""

    WORKER = (sys.executable, "-m", "speech._tts_worker")

    def __init__(self, timeout_s: float = 5.0, command: tuple[str, ...] = WORKER) -> None:
        self.timeout_s = timeout_s
        self.command = command  # the worker's argv (tests swap in one that hangs)
        self._proc: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Start the worker and synthesize once, so the first real reply is fast."""
        self.synthesize(".", DEFAULT_VOICES["en"], 160)

    def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio:
        with self._lock:
            send, recv = self._ensure()
            try:
                send.send((text, voice, int(rate_wpm)))
                ready = recv.poll(self.timeout_s)
            except OSError as exc:
                self._kill()
                raise SpeechError(f"speech synthesis worker is gone: {exc}") from exc
            if not ready:
                self._kill()
                raise SpeechError(f"speech synthesis took longer than {self.timeout_s:g} s; worker restarted")
            try:
                status, rate, width, payload = recv.recv()
            except (EOFError, OSError) as exc:
                self._kill()
                raise SpeechError(f"speech synthesis worker died: {exc}") from exc
        if status != "ok":
            raise SpeechError(f"speech synthesis failed for voice {voice!r}: {rate}")
        return Audio(decode_pcm(payload, width, 1, rate, "synthesized speech"), rate)

    def close(self) -> None:
        with self._lock:
            if self._send is not None:
                with contextlib.suppress(OSError):
                    self._send.send(None)
            if self._proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=2)
            self._kill()

    def _ensure(self) -> tuple[Connection, Connection]:
        if self._proc is None or self._proc.poll() is not None or self._send is None or self._recv is None:
            self._kill()
            env = dict(os.environ)
            root = str(Path(__file__).resolve().parent.parent)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
            self._proc = subprocess.Popen(  # noqa: S603 - argv is ours, not user input
                list(self.command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
            if self._proc.stdin is None or self._proc.stdout is None:  # pragma: no cover - PIPE was asked
                raise SpeechError("speech synthesis worker has no pipes")
            self._send = Connection(os.dup(self._proc.stdin.fileno()), readable=False)
            self._recv = Connection(os.dup(self._proc.stdout.fileno()), writable=False)
            self._proc.stdin.close()
            self._proc.stdout.close()
        return self._send, self._recv

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=2)
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        self._proc, self._send, self._recv = None, None, None


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
    """Keeps what was played (tests, the WAV debug path)."""

    def __init__(self) -> None:
        self.played: list[Audio] = []

    def play(self, audio: Audio) -> None:
        self.played.append(audio)


@dataclass(frozen=True)
class Utterance:
    text: str
    lang: str


class Speaker:
    """Say things without blocking the caller: caption now, audio on the ``kiosk-speaker``
    worker (which owns the audio device). A synthesizer or sink that raises is counted in
    ``worker.health()`` and kept in ``errors``; the next utterance is spoken as usual.
    ``meter`` is told when each clip starts and stops playing (the face's mouth)."""

    def __init__(  # noqa: PLR0917 - wiring
        self,
        synthesizer: Synthesizer,
        sink: AudioSink,
        half_duplex: HalfDuplex,
        on_caption: Callable[[str], None] = lambda _text: None,
        voices: dict[str, str] | None = None,
        rate_wpm: int = 160,
        cache_size: int = 64,
        stall_s: float = 60.0,
        meter: PlaybackMeter | None = None,
    ) -> None:
        self._synth = synthesizer
        self._sink = sink
        self._duplex = half_duplex
        self._on_caption = on_caption
        self._voices = voices or dict(DEFAULT_VOICES)
        self._rate = rate_wpm
        self._meter = meter
        self._cache: OrderedDict[tuple[str, str, int], Audio] = OrderedDict()
        self._cache_size = cache_size
        self._pending_lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
        self.errors: list[str] = []
        # One utterance synthesizes (bounded by the synthesizer's timeout) and plays: longer is stuck.
        self._worker = Worker("kiosk-speaker", stall_s=stall_s)
        self._worker.start()

    @property
    def worker(self) -> Worker:
        return self._worker

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

    def render(self, text: str, lang: str = "en") -> Audio:
        """The audio for ``text`` (cached), on the caller's thread; pre-warms the cache."""
        voice = self._voices.get(lang, self._voices["en"])
        key = (text, voice, self._rate)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        audio = self._synth.synthesize(text, voice, self._rate)
        self._cache[key] = audio
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return audio

    def wait_idle(self, timeout_s: float) -> bool:
        """True once everything queued has been spoken (tests, shutdown)."""
        return self._idle.wait(timeout_s)

    def close(self) -> None:
        self._worker.stop(timeout=5)

    def _speak(self, item: Utterance) -> None:
        try:
            audio = self.render(item.text, item.lang)
            self._duplex.begin_speaking()
            if self._meter is not None:
                self._meter.playing(audio)
            try:
                self._sink.play(audio)
            finally:
                if self._meter is not None:
                    self._meter.played()
                self._duplex.end_speaking()
        except Exception as exc:
            self.errors.append(str(exc))
            raise  # the worker counts it and logs its type; the next utterance goes on
        finally:
            self._done_one()

    def _done_one(self) -> None:
        with self._pending_lock:
            self._pending = max(0, self._pending - 1)
            if self._pending == 0:
                self._idle.set()


def silence(seconds: float, rate: int = 16000) -> Audio:
    return Audio(np.zeros(round(seconds * rate), dtype=np.int16), rate)
