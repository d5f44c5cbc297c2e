"""A scripted microphone and a flow thread, for driving ``VoiceDialog`` in tests."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, TypeVar

import numpy as np

from speech.audio import Audio, Samples

T = TypeVar("T")
SILENCE_SPEEDUP = 20.0


class Say(Protocol):
    """The ``say`` fixture: a phrase spoken by espeak-ng, as a microphone in the room hears it."""

    def __call__(self, text: str, voice: str = ..., rate: int = ...) -> Audio: ...


class ScriptedSource:
    """Plays the next queued clip on each listen, then room silence.

    ``realtime`` paces frames like a microphone (a listen then lasts as long as its audio),
    so a tap can arrive while the dialog is listening. Otherwise the room's silence after a
    clip still comes at ``SILENCE_SPEEDUP`` times real time: the dialog listens on every
    screen, and an unpaced silence would have it listen (and burn a core) in a tight loop.
    """

    def __init__(self, rate: int = 16000, frame_ms: int = 30, realtime: bool = False) -> None:
        self.rate = rate
        self.frame_ms = frame_ms
        self.realtime = realtime
        self.clips: queue.Queue[Audio] = queue.Queue()
        self.listens = 0
        self.fail: Exception | None = None

    def add(self, *clips: Audio) -> None:
        for clip in clips:
            self.clips.put(clip.resampled(self.rate))

    def frames(self) -> Iterator[Samples]:
        self.listens += 1
        if self.fail is not None:
            raise self.fail
        step = self.rate * self.frame_ms // 1000
        # Each listen's room is seeded by its number: with one generator for all, how long a
        # realtime listen ran before a tap ended it moved the noise every later clip ends in.
        rng = np.random.default_rng([11, self.listens])
        try:
            clip = self.clips.get_nowait().samples
        except queue.Empty:
            clip = np.zeros(0, np.int16)
        for start in range(0, len(clip), step):
            yield self._pace(clip[start : start + step])
        while True:
            yield self._pace(rng.normal(0, 30, step).astype(np.int16), SILENCE_SPEEDUP)

    def _pace(self, frame: Samples, speedup: float | None = None) -> Samples:
        if self.realtime:
            time.sleep(self.frame_ms / 1000)
        elif speedup is not None:
            time.sleep(self.frame_ms / 1000 / speedup)
        return frame

    def close(self) -> None:
        pass


class FlowThread:
    """The flow's own thread (the Qt thread in the app): ``post`` queues work on it."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flow")
        self.errors: list[BaseException] = []

    def post(self, fn: Callable[[], None]) -> None:
        self._pool.submit(self._guard, fn)

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the flow thread and wait for it (a tap from the test)."""
        future: Future[T] = self._pool.submit(fn)
        return future.result(10)

    def _guard(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:
            self.errors.append(exc)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def wait_until(predicate: Callable[[], object], timeout: float = 90.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


__all__ = ["FlowThread", "ScriptedSource", "wait_until"]
