"""Synthesizers that run in a child process: pyttsx3/espeak-ng and Piper.

Both engines run out of the kiosk's process: pyttsx3 2.99 prints on stdout and keeps
global state, Piper holds a 63 MB ONNX model and onnxruntime's threads. A hung or slow
synthesis costs a timeout and a restarted worker, never a blocked UI or flow.

The wire is the same for both workers: a request ``(texts, voice, rate_wpm)`` pickled on
the child's stdin, one reply per text, in order, on its stdout: ``("ok", rate, width,
pcm)`` or ``("error", reason, 0, b"")``. A request carries every piece of an utterance,
so the child renders piece 2 while the kiosk plays piece 1 (``stream``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from core.errors import SpeechError
from speech.audio import Audio, decode_pcm

DEFAULT_VOICES = {"en": "en-us", "es": "es-419"}


class Synthesizer(Protocol):
    def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio: ...

    def close(self) -> None: ...


class StreamingSynthesizer(Synthesizer, Protocol):
    def stream(self, texts: Sequence[str], voice: str, rate_wpm: int) -> Iterator[Audio]:
        """One ``Audio`` per text, in order, each as soon as it is rendered."""
        ...


class ChildProcessSynthesizer:
    """A synthesis worker process (``command``); ``timeout_s`` bounds each piece."""

    engine = "child"
    WORKER: tuple[str, ...] = ()
    STARTUP_S = 5.0
    """Added to the first reply's timeout after a (re)start: the worker imports its engine
    and loads its voice then."""

    def __init__(self, timeout_s: float = 5.0, command: tuple[str, ...] | None = None) -> None:
        self.timeout_s = timeout_s
        self._fresh = False  # the worker was just started: its first reply may take longer
        self.command = command or self.WORKER  # the worker's argv (tests swap in one that hangs)
        self._proc: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs (the bench reads its memory)."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def warm_up(self, voice: str = DEFAULT_VOICES["en"]) -> None:
        """Start the worker and synthesize once, so the first real reply is fast."""
        self.synthesize(".", voice, 160)

    def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio:
        audio = next(iter(self.stream((text,), voice, rate_wpm)), None)
        if audio is None:  # pragma: no cover - stream yields one per text or raises
            raise SpeechError("speech synthesis returned nothing")
        return audio

    def stream(self, texts: Sequence[str], voice: str, rate_wpm: int) -> Iterator[Audio]:
        """Ask for every text at once; yield each piece's audio as it arrives. Holding the
        worker until the last piece is read (or the generator is closed: the rest is drained)."""
        with self._lock:
            send, recv = self._ensure()
            try:
                send.send((tuple(texts), voice, int(rate_wpm)))
            except OSError as exc:
                self._kill()
                raise SpeechError(f"speech synthesis worker is gone: {exc}") from exc
            left = len(texts)
            try:
                while left:
                    reply = self._reply(recv)
                    left -= 1
                    yield self._audio(reply, voice)
            finally:
                if left:
                    self._drain(recv, left)

    def close(self) -> None:
        with self._lock:
            if self._send is not None:
                with contextlib.suppress(OSError):
                    self._send.send(None)
            if self._proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=2)
            self._kill()

    def _reply(self, recv: Connection) -> tuple[str, object, int, bytes]:
        timeout = self.timeout_s + (self.STARTUP_S if self._fresh else 0.0)
        try:
            ready = recv.poll(timeout)
        except OSError as exc:
            self._kill()
            raise SpeechError(f"speech synthesis worker is gone: {exc}") from exc
        if not ready:
            self._kill()
            raise SpeechError(f"speech synthesis took longer than {timeout:g} s; worker restarted")
        try:
            status, rate, width, payload = recv.recv()
        except (EOFError, OSError, ValueError) as exc:
            self._kill()
            raise SpeechError(f"speech synthesis worker died: {exc}") from exc
        self._fresh = False
        return str(status), rate, int(width), bytes(payload)

    def _audio(self, reply: tuple[str, object, int, bytes], voice: str) -> Audio:
        status, rate, width, payload = reply
        if status != "ok" or not isinstance(rate, int):
            raise SpeechError(f"speech synthesis ({self.engine}) failed for voice {voice!r}: {rate}")
        return Audio(decode_pcm(payload, width, 1, rate, "synthesized speech"), rate)

    def _drain(self, recv: Connection, left: int) -> None:
        """Read the replies nobody will play, so the next request meets a clean pipe."""
        try:
            for _ in range(left):
                self._reply(recv)
        except SpeechError:
            pass  # the worker was killed: the next request starts a new one

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
            self._fresh = True
        return self._send, self._recv

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=2)
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        self._proc, self._send, self._recv = None, None, None


class Pyttsx3Synthesizer(ChildProcessSynthesizer):
    """pyttsx3/espeak-ng in a child process (``speech._tts_worker``); voices are espeak names."""

    engine = "espeak"
    WORKER = (sys.executable, "-m", "speech._tts_worker")


class PiperSynthesizer(ChildProcessSynthesizer):
    """Piper (onnxruntime) in a child process (``speech._piper_worker``); a voice is the path
    of its ``.onnx`` model (checked by ``speech.voices`` before it gets here). The first
    request for a voice loads it (~0.5 s): ``warm_up`` it at start."""

    engine = "piper"
    WORKER = (sys.executable, "-m", "speech._piper_worker")
    STARTUP_S = 30.0  # onnxruntime and a 63 MB model, on a busy Pi

    def __init__(self, timeout_s: float = 10.0, command: tuple[str, ...] | None = None) -> None:
        super().__init__(timeout_s, command)


__all__ = [
    "DEFAULT_VOICES",
    "ChildProcessSynthesizer",
    "PiperSynthesizer",
    "Pyttsx3Synthesizer",
    "StreamingSynthesizer",
    "Synthesizer",
]
