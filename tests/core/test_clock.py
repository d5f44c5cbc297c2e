from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.clock import CLOCK_SHIFT_ENV, SystemClock, clock_shift
from core.errors import ConfigError
from tests.support.clock import TEST_TIME_OF_DAY, shift_to_morning


def test_the_shift_moves_the_wall_clock_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLOCK_SHIFT_ENV, "-3600")
    clock = SystemClock()
    assert clock.shift == timedelta(hours=-1)
    moved = datetime.now() - timedelta(hours=1)
    assert abs((clock.now() - moved).total_seconds()) < 2
    assert abs(SystemClock(timedelta(0)).now() - datetime.now()) < timedelta(seconds=2)


@pytest.mark.parametrize("raw", ["ten", "nan", "inf", "1e12"])
def test_a_malformed_shift_is_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(CLOCK_SHIFT_ENV, raw)
    with pytest.raises(ConfigError, match=CLOCK_SHIFT_ENV):
        clock_shift()


def test_no_shift_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CLOCK_SHIFT_ENV, raising=False)
    assert clock_shift() == timedelta(0)


@pytest.mark.parametrize(("hour", "minute"), [(23, 55), (0, 3), (10, 0), (14, 30)])
def test_the_suite_clock_is_mid_morning_on_the_real_date(hour: int, minute: int) -> None:
    real = datetime(2026, 12, 1, hour, minute, 17)
    moved = real + timedelta(seconds=shift_to_morning(real))
    assert moved.date() == real.date()
    assert moved.time() == TEST_TIME_OF_DAY


def test_the_doctor_warns_when_the_clock_is_moved() -> None:
    from kiosk.checks import check_clock

    moved = check_clock(SystemClock(timedelta(hours=-3)))
    assert moved.ok and moved.warning and CLOCK_SHIFT_ENV in moved.detail
    real = check_clock(SystemClock(timedelta(0)))
    assert real.ok and not real.warning
