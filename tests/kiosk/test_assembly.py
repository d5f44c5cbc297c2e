"""``KioskApp`` without Qt, over real mosquitto and a hub: parts start in order and stop in
reverse, a fault in one part is contained and reported, and no status change published
while the app is being built or started is lost to the board."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import Settings, SpeechSettings
from core.clock import SystemClock
from hardware import Devices
from hub.service import HubService
from kiosk.app import HeadlessBoard, HeadlessFrontend
from kiosk.assembly import KioskApp
from tests.support.broker import Broker
from tests.support.site import site_settings, start_hub, status_request, wait_for

PARTS = ("storage", "sync", "devices", "tickets", "flow", "admin")


@pytest.fixture
def hub(tmp_path: Path, broker: Broker) -> Iterator[HubService]:
    hub = start_hub(broker.settings(), tmp_path / "hub")
    yield hub
    hub.stop()


def _settings(tmp_path: Path, broker: Broker) -> Settings:
    settings = site_settings(broker.settings(), tmp_path / "kiosk")
    return Settings(**{**settings.__dict__, "speech": SpeechSettings(enabled=False)})


class Headless:
    """The headless frontend around an app, its board printed into a buffer."""

    def __init__(self, settings: Settings, trace: list[str] | None = None, on_step=None) -> None:  # type: ignore[no-untyped-def]
        self.front = HeadlessFrontend()
        self.steps = trace if trace is not None else []

        def step(name: str) -> None:
            self.steps.append(name)
            if on_step is not None:
                on_step(name)

        self.app = KioskApp(
            settings, clock=SystemClock(), poster=self.front.poster, exit_app=self.front.exit, trace=step
        )
        self.out = io.StringIO()
        self.board: HeadlessBoard | None = None

    def start(self) -> Headless:
        self.board = self.front.open(self.app, self.out)
        return self

    def stop(self) -> None:
        self.front.close()

    def shows(self, text: str) -> bool:
        return self.board is not None and text in self.board.last


def test_parts_start_in_order_and_stop_in_reverse_leaving_no_thread(
    tmp_path: Path, broker: Broker, hub: HubService
) -> None:
    before = set(threading.enumerate())
    kiosk = Headless(_settings(tmp_path, broker))
    kiosk.start()
    try:
        assert [s for s in kiosk.steps if s.startswith("started")] == [f"started {p}" for p in PARTS]
        assert {n: h.state for n, h in kiosk.app.health().items()} == dict.fromkeys(PARTS, "running")
        wait_for(lambda: kiosk.shows("Dr. Wei Chen"), what="the board from the cache")
        assert kiosk.app.sync.alive() and all(check() for check in kiosk.app.liveness_checks().values())
    finally:
        kiosk.stop()
    assert [s for s in kiosk.steps if s.startswith("stopped")] == [f"stopped {p}" for p in reversed(PARTS)]
    assert {n: h.state for n, h in kiosk.app.health().items()} == dict.fromkeys(PARTS, "stopped")
    wait_for(lambda: not set(threading.enumerate()) - before, 60, "every thread of the app to end")


def test_a_part_that_fails_to_start_is_reported_and_the_kiosk_still_checks_in(
    tmp_path: Path,
    broker: Broker,
    hub: HubService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def no_devices(_self: Devices) -> None:
        raise OSError("the USB hub is gone")

    monkeypatch.setattr(Devices, "start", no_devices)
    kiosk = Headless(_settings(tmp_path, broker))
    with caplog.at_level(logging.ERROR, logger="kiosk.parts"):
        kiosk.start()
    try:
        health = kiosk.app.health()
        assert health["devices"].state == "failed" and health["devices"].error == "OSError"
        assert all(health[p].state == "running" for p in PARTS if p != "devices")
        assert [r.part for r in caplog.records] == ["devices"]  # type: ignore[attr-defined]
        # Reported in the retained health telemetry, too.
        sync = kiosk.app.sync
        reported = sync.call(lambda _cache: sync.health()).devices  # on the sync loop, as it publishes
        assert (
            reported["devices"].state == "error" and reported["devices"].reason == "failed to start: OSError"
        )
        # The rest of the kiosk works: the board shows and the flow answers.
        wait_for(lambda: kiosk.shows("Dr. Wei Chen"), what="the board")
        kiosk.app.poster.call(kiosk.app.flow.wake)
        assert kiosk.app.poster.call(lambda: kiosk.app.flow.view.screen) == "welcome"
    finally:
        kiosk.stop()
    assert all(h.state == "stopped" for n, h in kiosk.app.health().items() if n != "devices")


def test_a_part_whose_stop_raises_does_not_keep_the_others_from_stopping(
    tmp_path: Path, broker: Broker, hub: HubService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_stop = Devices.stop

    def stuck(self: Devices) -> None:
        real_stop(self)
        raise RuntimeError("a port would not close")

    monkeypatch.setattr(Devices, "stop", stuck)
    before = set(threading.enumerate())
    kiosk = Headless(_settings(tmp_path, broker)).start()
    assert kiosk.app.stop() == ["devices"]
    health = kiosk.app.health()
    assert health["devices"].state == "stop failed"
    assert all(health[p].state == "stopped" for p in PARTS if p != "devices")
    assert not kiosk.app.sync.alive(timeout=0.5)  # sync stopped after devices failed to
    kiosk.front.worker.stop()
    wait_for(lambda: not set(threading.enumerate()) - before, 60, "every thread of the app to end")


STEPS = [f"built {p}" for p in PARTS] + [f"started {p}" for p in PARTS]


@pytest.mark.parametrize("step", STEPS)
def test_a_status_change_published_while_the_app_is_built_is_on_the_board_after_start(
    tmp_path: Path, broker: Broker, hub: HubService, step: str
) -> None:
    delay = 5 + STEPS.index(step)

    def publish(name: str) -> None:
        if name == step:
            hub.set_status(status_request("okafor", "late", delay))

    kiosk = Headless(_settings(tmp_path, broker), on_step=publish)
    kiosk.start()
    try:
        assert step in kiosk.steps
        wait_for(lambda: kiosk.shows(f"Dr. Ngozi Okafor  running {delay} min late"), what="the late status")
    finally:
        kiosk.stop()
