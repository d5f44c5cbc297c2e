"""Power-on to usable, as the kiosk process sees it: seconds from the process's start to
each milestone (``first_frame``: the board drawn from the cache is on screen;
``voice_ready``: the voice dialog listens). Each milestone is recorded once, logged once,
and reported in the health metrics as ``cold_start_<milestone>_s``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

FIRST_FRAME = "first_frame"
VOICE_READY = "voice_ready"
BOARD_SHOWN = "board_shown"  # the headless kiosk's first board


def process_started_monotonic() -> float:
    """``time.monotonic()`` at the moment this process started (from ``/proc/self/stat``,
    which counts from boot as ``CLOCK_BOOTTIME`` does); now, where that cannot be read."""
    now_mono = time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started_after_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started_after_boot
    except (OSError, ValueError, IndexError, AttributeError):
        return now_mono
    return now_mono - max(0.0, age)


class ColdStart:
    """Milestones since the process started; ``mark`` is thread-safe (a frame is presented
    on Qt's render thread, the voice is ready on the flow thread)."""

    def __init__(self, started_at: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started_at = process_started_monotonic() if started_at is None else started_at
        self._marks: dict[str, float] = {}
        self._lock = threading.Lock()

    def mark(self, milestone: str) -> bool:
        """Record ``milestone`` now, the first time only; True when this call recorded it."""
        with self._lock:
            if milestone in self._marks:
                return False
            seconds = round(self._clock() - self.started_at, 3)
            self._marks[milestone] = seconds
        log.info("cold start: %s after %.3f s", milestone, seconds, extra={"milestone": milestone})
        return True

    def seconds(self) -> dict[str, float]:
        with self._lock:
            return dict(self._marks)

    def metrics(self) -> dict[str, float]:
        return {f"cold_start_{name}_s": value for name, value in self.seconds().items()}


__all__ = ["BOARD_SHOWN", "FIRST_FRAME", "VOICE_READY", "ColdStart", "process_started_monotonic"]
