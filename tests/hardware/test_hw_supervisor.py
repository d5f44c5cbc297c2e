"""The supervisor with fake devices and a manual clock: backoff, health, containment."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest

from core.backoff import Backoff
from core.clock import ManualClock
from core.errors import DeviceError
from hardware.errors import DeviceMissing
from hardware.events import DeviceHealthChanged, HealthRegistry
from hardware.supervisor import Check, DeviceSupervisor
from tests.hardware.support import Events


class FakeDevice:
    def __init__(self, name: str = "fake") -> None:
        self.name = name
        self.fail: Exception | None = DeviceMissing("unplugged")
        self.status = Check("ok")
        self.opens = 0
        self.closes = 0

    def open(self) -> None:
        self.opens += 1
        if self.fail is not None:
            raise self.fail

    def close(self) -> None:
        self.closes += 1

    def check(self) -> Check:
        return self.status


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 11, 29, 8, 0))


def make(device: FakeDevice, clock: ManualClock, events: Events | None = None) -> DeviceSupervisor:
    return DeviceSupervisor(
        [device], events, clock=clock, backoff=Backoff(1.0, 8.0), check_interval_s=2.0, rng=random.Random(1)
    )


@pytest.mark.parametrize("attempt", range(8))
def test_backoff_is_jittered_and_capped(attempt: int) -> None:
    backoff, rng = Backoff(0.5, 30.0), random.Random(attempt)
    ceiling = min(30.0, 0.5 * 2**attempt)
    delays = [backoff.delay(attempt, rng) for _ in range(50)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(set(delays)) > 1


def test_missing_device_is_retried_with_growing_backoff(clock: ManualClock) -> None:
    device = FakeDevice()
    supervisor = make(device, clock)
    supervisor.step()
    assert supervisor.health_snapshot() == {"fake": {"state": "missing", "reason": "unplugged"}}
    opens = []
    for _ in range(120):
        clock.advance(0.25)
        supervisor.step()
        opens.append(device.opens)
    gaps = [opens.index(n) - opens.index(n - 1) for n in range(3, max(opens) + 1)]
    assert gaps[-1] > gaps[0]  # grows...
    assert max(gaps) <= 32  # ...up to the 8 s cap (32 ticks)
    assert max(opens) < 20  # not a tight loop


def test_plug_in_is_picked_up_and_health_goes_ok(clock: ManualClock, events: Events) -> None:
    device = FakeDevice()
    supervisor = make(device, clock, events)
    supervisor.step()
    device.fail = None
    clock.advance(10)
    supervisor.step()
    assert supervisor.is_open("fake")
    assert supervisor.health_snapshot()["fake"] == {"state": "ok", "reason": ""}
    states = [e.health.state for e in events.of(DeviceHealthChanged)]
    assert states[-2:] == ["missing", "ok"]


def test_a_lost_link_is_closed_and_reopened(clock: ManualClock) -> None:
    device = FakeDevice()
    device.fail = None
    supervisor = make(device, clock)
    supervisor.step()
    device.status = Check("missing", "read failed", reopen=True)
    clock.advance(2)
    supervisor.step()
    assert not supervisor.is_open("fake")
    assert device.closes >= 1
    device.status = Check("ok")
    clock.advance(10)
    supervisor.step()
    assert supervisor.is_open("fake")


def test_an_error_without_reopen_keeps_the_device_open(clock: ManualClock) -> None:
    device = FakeDevice()
    device.fail = None
    supervisor = make(device, clock)
    supervisor.step()
    device.status = Check("error", "paper out")
    clock.advance(2)
    supervisor.step()
    assert supervisor.is_open("fake")
    assert supervisor.health_snapshot()["fake"] == {"state": "error", "reason": "paper out"}


@pytest.mark.parametrize(
    ("failure", "state"),
    [
        (DeviceError("wrong firmware"), "error"),
        (RuntimeError("driver bug"), "error"),
        (DeviceMissing("x"), "missing"),
    ],
)
def test_any_open_failure_is_contained(clock: ManualClock, failure: Exception, state: str) -> None:
    device = FakeDevice()
    device.fail = failure
    supervisor = make(device, clock)
    supervisor.step()
    assert supervisor.health_snapshot()["fake"]["state"] == state


def test_a_raising_callback_does_not_break_health() -> None:
    def bad(_event: object) -> None:
        raise ValueError("kiosk bug")

    registry = HealthRegistry(bad)
    registry.set("printer", "error", "cover open")
    snapshot = registry.snapshot()
    assert json.loads(json.dumps(snapshot)) == {"printer": {"state": "error", "reason": "cover open"}}
    registry.set("printer", "ok")
    assert registry.callback_errors == 2
    with pytest.raises(ValueError, match="health state"):
        registry.set("printer", "broken")  # type: ignore[arg-type]
