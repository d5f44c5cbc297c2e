"""The camera worker: presence and QR codes from a camera (or a video/image file), off the UI thread.

The worker thread captures, analyses and drops each frame (nothing is stored or sent),
at an adaptive rate: ``idle_fps`` while nobody is there, ``active_fps`` while someone is
(and never faster than the analysis allows). Events go to ``on_event`` from this thread.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import cv2

from core.clock import Clock, SystemClock
from hardware.errors import DeviceMissing
from hardware.events import EventCallback, PresenceChanged, QrDecoded, safe_emit
from hardware.supervisor import Check
from hardware.vision import FrameAnalyzer

_log = logging.getLogger(__name__)


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
    ) -> None:
        self.source = source
        self._on_event = on_event
        self._clock = clock or SystemClock()
        self.idle_fps, self.active_fps = idle_fps, active_fps
        self.qr_repeat_s = qr_repeat_s
        self.loop_files = loop_files
        self._capture = capture
        self._tracker = PresenceTracker(absent_after_s)
        self._analyzer: FrameAnalyzer | None = None
        self._cap: Any = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
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
        self._cap, self._fault, self.finished = cap, "", False
        self._analyzer.motion.reset()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=3)
        self._thread = None
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

    def check(self) -> Check:
        if self._fault:
            return Check("missing", self._fault, reopen=True)
        if self.finished:
            return Check("ok", "end of file")
        if self._thread is None or not self._thread.is_alive():
            return Check("missing", "not running", reopen=True)
        return Check("ok", "")

    def wait_finished(self, timeout: float) -> bool:
        """For file sources without looping: wait until the whole file was analysed."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.finished

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            started = self._clock.monotonic()
            ok, frame = self._cap.read()
            if not ok:
                if self.is_file and self.loop_files and failures == 0:
                    self._cap.release()  # reopen to loop: works for videos and still images alike
                    self._cap = self._capture(self.source)
                    failures += 1
                    continue
                if self.is_file and not self.loop_files:
                    self.finished = True
                    return
                failures += 1
                if failures >= 10:
                    self._fault = "camera stopped delivering frames"
                    _log.warning("camera %s: %s", self.source, self._fault)
                    return
                self._stop.wait(0.1)
                continue
            failures = 0
            self._process(frame, started)
            del frame  # frames are never kept
            fps = self.active_fps if self._tracker.present else self.idle_fps
            self._stop.wait(max(0.0, 1.0 / fps - (self._clock.monotonic() - started)))

    def _process(self, frame: Any, now: float) -> None:
        analyzer = self._analyzer
        if analyzer is None:
            return
        self.frames += 1
        thorough = self._tracker.present and self.frames % 3 == 0
        result = analyzer.analyze(frame, thorough=thorough)
        change = self._tracker.update(result.someone or bool(result.qr_codes), now)
        if change is not None:
            safe_emit(self._on_event, PresenceChanged(change, "camera"))
        for text in result.qr_codes:
            last = self._qr_seen.get(text)
            if last is None or now - last >= self.qr_repeat_s:
                safe_emit(self._on_event, QrDecoded(text))
            self._qr_seen[text] = now
