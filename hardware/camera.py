"""The camera worker: presence and QR codes from a camera (or a video/image file), off the UI thread.

The ``camera`` worker owns the capture: each tick captures, analyses and drops one frame
(nothing is stored or sent) and returns the delay to the next, for an adaptive rate:
``idle_fps`` while nobody is there, ``active_fps`` while someone is (and never faster than
the analysis allows). ``on_event`` runs as an item of the same worker, so an analyzer or
callback that raises is counted in ``worker.health()`` and the next frame is still read.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import cv2

from core.clock import Clock, SystemClock
from core.worker import Worker
from hardware.errors import DeviceMissing
from hardware.events import DeviceEvent, EventCallback, PresenceChanged, QrDecoded
from hardware.supervisor import Check
from hardware.vision import FrameAnalyzer

_log = logging.getLogger(__name__)
_RETRY_S = 0.1  # after a failed read
_MAX_FAILURES = 10


class PresenceTracker:
    """Someone arrives on the first frame that shows them; leaves after ``absent_after_s`` with nobody."""

    def __init__(self, absent_after_s: float) -> None:
        self.absent_after_s = absent_after_s
        self.present = False
        self._last_seen = 0.0

    def update(self, someone: bool, now: float) -> bool | None:
        """The new presence when it changed, else None."""
        if someone:
            self._last_seen = now
            if not self.present:
                self.present = True
                return True
        elif self.present and now - self._last_seen >= self.absent_after_s:
            self.present = False
            return False
        return None


class Camera:
    """A camera device for the supervisor. ``source``: an index ("0") or a video/image file path."""

    name = "camera"

    def __init__(
        self,
        source: str,
        on_event: EventCallback | None = None,
        *,
        clock: Clock | None = None,
        idle_fps: float = 2.0,
        active_fps: float = 8.0,
        absent_after_s: float = 5.0,
        qr_repeat_s: float = 5.0,
        loop_files: bool = True,
        capture: Callable[[Any], Any] = cv2.VideoCapture,
        analyzer: FrameAnalyzer | None = None,
        stall_s: float = 10.0,
    ) -> None:
        self.source = source
        self._on_event = on_event
        self._clock = clock or SystemClock()
        self.idle_fps, self.active_fps = idle_fps, active_fps
        self.qr_repeat_s = qr_repeat_s
        self.loop_files = loop_files
        self._capture = capture
        self._tracker = PresenceTracker(absent_after_s)
        self._analyzer: FrameAnalyzer | None = analyzer
        self._stall_s = stall_s
        self._cap: Any = None
        self._worker: Worker | None = None
        self._done = threading.Event()
        self._failures = 0
        self._fault = ""
        self._qr_seen: dict[str, float] = {}
        self.frames = 0
        self.finished = False

    @property
    def is_file(self) -> bool:
        return not self.source.isdigit()

    def open(self) -> None:
        self.close()
        if self.is_file and not os.path.exists(self.source):
            raise DeviceMissing(f"camera file {self.source}: not found")
        if self._analyzer is None:
            self._analyzer = FrameAnalyzer()
        cap = self._capture(int(self.source) if not self.is_file else self.source)
        if not cap.isOpened():
            cap.release()
            raise DeviceMissing(f"camera {self.source}: cannot open")
        self._cap, self._fault, self.finished, self._failures = cap, "", False, 0
        self._analyzer.motion.reset()
        self._done.clear()
        pace = 1.0 / max(self.idle_fps, self.active_fps)  # also the pause after a tick that raised
        self._worker = Worker("camera", tick_s=pace, on_tick=self._capture_once, stall_s=self._stall_s)
        self._worker.start()

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout=3)
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

    def check(self) -> Check:
        if self._fault:
            return Check("missing", self._fault, reopen=True)
        if self.finished:
            return Check("ok", "end of file")
        if self._worker is None or not self._worker.running:
            return Check("missing", "not running", reopen=True)
        return Check("ok", "")

    @property
    def worker(self) -> Worker | None:
        """The capture loop while open; its ``responsive()`` feeds health and the watchdog."""
        return self._worker

    def wait_finished(self, timeout: float) -> bool:
        """For file sources without looping: wait until the whole file was analysed and
        every event it raised was delivered."""
        self._done.wait(timeout)
        worker = self._worker
        if self.finished and worker is not None and worker.running:
            worker.call(lambda: None, timeout=timeout)  # the events posted before the end
        return self.finished

    def _capture_once(self) -> float | None:
        """The worker's tick: one frame, analysed and dropped; the delay to the next."""
        if self.finished or self._fault or self._cap is None:
            return 1.0
        started = self._clock.monotonic()
        ok, frame = self._cap.read()
        if not ok:
            return self._missed_frame()
        self._failures = 0
        self._process(frame, started)
        del frame  # frames are never kept
        fps = self.active_fps if self._tracker.present else self.idle_fps
        return max(0.0, 1.0 / fps - (self._clock.monotonic() - started))

    def _missed_frame(self) -> float:
        if self.is_file and self.loop_files and self._failures == 0:
            self._cap.release()  # reopen to loop: works for videos and still images alike
            self._cap = self._capture(self.source)
            self._failures += 1
            return 0.0
        if self.is_file and not self.loop_files:
            self.finished = True
            self._done.set()
            return 1.0
        self._failures += 1
        if self._failures >= _MAX_FAILURES:
            self._fault = "camera stopped delivering frames"
            _log.warning("camera %s: %s", self.source, self._fault)
            self._done.set()
            return 1.0
        return _RETRY_S

    def _emit(self, event: DeviceEvent) -> None:
        worker = self._worker
        if self._on_event is not None and worker is not None:
            worker.post(self._on_event, event)

    def _process(self, frame: Any, now: float) -> None:
        analyzer = self._analyzer
        if analyzer is None:
            return
        self.frames += 1
        thorough = self._tracker.present and self.frames % 3 == 0
        result = analyzer.analyze(frame, thorough=thorough)
        change = self._tracker.update(result.someone or bool(result.qr_codes), now)
        if change is not None:
            self._emit(PresenceChanged(change, "camera"))
        for text in result.qr_codes:
            last = self._qr_seen.get(text)
            if last is None or now - last >= self.qr_repeat_s:
                self._emit(QrDecoded(text))
            self._qr_seen[text] = now
