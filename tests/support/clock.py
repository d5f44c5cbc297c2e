"""The wall clock the tests read: the system clock moved to 10:00 today (``conftest``
sets ``KIOSK_CLOCK_SHIFT_S`` for this process and every process it starts), so a run
that starts at 23:50 still sees a whole morning on one date."""

from __future__ import annotations

from datetime import date, datetime, time

from core.clock import SystemClock

TEST_TIME_OF_DAY = time(10, 0)


def shift_to_morning(real_now: datetime) -> float:
    """Seconds that move ``real_now`` to ``TEST_TIME_OF_DAY`` on its own date."""
    return (datetime.combine(real_now.date(), TEST_TIME_OF_DAY) - real_now).total_seconds()


def wall_now() -> datetime:
    return SystemClock().now()


def wall_today() -> date:
    return wall_now().date()
