"""The channel rate holds in every second (a sliding window), from the first one on."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.clock import ManualClock
from devtools.smsc_sim import most_in_one_second
from hub.notify.channels import RateLimit


@pytest.mark.parametrize(
    ("rate", "batch", "step_s"), [(100.0, 50, 0.01), (100.0, 50, 0.3), (7.5, 5, 0.05), (0.5, 1, 0.1)]
)
def test_no_second_carries_more_than_the_rate(rate: float, batch: int, step_s: float) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0))
    limit = RateLimit(rate, clock)
    sent: list[float] = []
    while clock.monotonic() < 20.0:
        n = min(batch, limit.available())
        if n:
            sent += [clock.monotonic()] * n
            limit.take(n)
        clock.advance(step_s)
    assert most_in_one_second(sent) <= max(1, int(rate))  # the first second too: no initial burst
    assert len(sent) >= 0.8 * rate * 20 if rate >= 1 else len(sent) >= 9  # and it is used


def test_wait_s_says_when_the_next_may_go() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0))
    limit = RateLimit(2.0, clock)
    limit.take(1)
    clock.advance(0.25)
    limit.take(1)
    assert limit.available() == 0
    assert limit.wait_s() == pytest.approx(0.75)
    clock.advance(0.75)
    assert limit.available() == 1
