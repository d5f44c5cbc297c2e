"""Injected time: the core asks a clock for ``now`` instead of calling ``time``."""

from __future__ import annotations

import math
import os
import time
from datetime import datetime, timedelta
from typing import Protocol

from core.errors import ConfigError

# Seconds added to the wall clock of every process that inherits it: a demo or a test run
# "as if at 10:00" on any day, so nothing it shows depends on running near midnight. Unset
# on a unit; `kiosk doctor` says so when it is set.
CLOCK_SHIFT_ENV = "KIOSK_CLOCK_SHIFT_S"


class Clock(Protocol):
    def now(self) -> datetime:
        """Local wall-clock time, timezone-naive, as the clinic's schedule is written."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never goes backwards."""
        ...


def clock_shift() -> timedelta:
    """The shift ``KIOSK_CLOCK_SHIFT_S`` asks for (none when unset); a malformed one is a
    ``ConfigError`` naming the variable, never a silently wrong clock."""
    raw = os.environ.get(CLOCK_SHIFT_ENV, "").strip()
    if not raw:
        return timedelta(0)
    try:
        seconds = float(raw)
    except ValueError:
        raise ConfigError(f"{CLOCK_SHIFT_ENV}: {raw[:20]!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or abs(seconds) > 366 * 86400:
        raise ConfigError(f"{CLOCK_SHIFT_ENV}: must be finite and within a year")
    return timedelta(seconds=seconds)


class SystemClock:
    """The real clock (moved by ``KIOSK_CLOCK_SHIFT_S`` where a demo or a test set it).
    ``now`` is whole seconds, as the wire's stamps are, unless ``precise``: for holds,
    windows and due times, which a dropped fraction would shorten by up to a second."""

    def __init__(self, shift: timedelta | None = None, *, precise: bool = False) -> None:
        self.shift = clock_shift() if shift is None else shift
        self.precise = precise

    def now(self) -> datetime:
        now = datetime.now() + self.shift
        return now if self.precise else now.replace(microsecond=0)

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock tests step by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._mono = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def set(self, when: datetime) -> None:
        delta = (when - self._now).total_seconds()
        self.advance(delta)
