"""Device workers survive the kiosk's bugs: a raising ``on_event``, a raising analyzer, and a
hanging handler that shows in health instead of passing for a live process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from config.loader import settings_from_mapping
from hardware import ioproto as p
from hardware.camera import Camera
from hardware.devices import Devices
from hardware.events import BadgeRead, DeviceEvent, PresenceChanged, QrDecoded
from hardware.ioboard import IoBoard
from hardware.ioboard_sim import BoardSimulator
from hardware.vision import FrameAnalyzer, FrameResult
from tests.hardware.support import Events, wait_for
from tests.hardware.test_hw_camera import NO_PERSON, PERSON, TEXT, frame_of, qr_frame, write_video


class RaisingOn:
    """An ``on_event`` that records everything and raises on the events ``poison`` picks."""

    def __init__(self, poison: Callable[[DeviceEvent], bool]) -> None:
        self.events = Events()
        self.poison = poison

    def __call__(self, event: DeviceEvent) -> None:
        self.events(event)
        if self.poison(event):
            raise RuntimeError("kiosk bug while handling a device event")


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[BoardSimulator]:
    board = BoardSimulator(str(tmp_path / "ttyIO"), retries=6).start()
    yield board
    board.stop()


def test_a_raising_on_event_does_not_stop_the_io_board_worker(sim: BoardSimulator) -> None:
    on_event = RaisingOn(lambda e: isinstance(e, BadgeRead) and e.badge_id == "FIRST")
    board = IoBoard(sim.url, on_event)
    board.open()
    try:
        sim.swipe_badge("FIRST")
        wait_for(lambda: board.worker is not None and board.worker.health().errors == 1)
        # the next real frame, as raw bytes on the pty, after garbage on the line
        sim.send_raw(b"\xa5\x5a\x03garbage" + p.encode_message(p.Badge("SECOND"), 77))
        wait_for(lambda: BadgeRead("SECOND") in on_event.events.of(BadgeRead))
        assert on_event.events.of(BadgeRead) == [BadgeRead("FIRST"), BadgeRead("SECOND")]
        assert board.worker is not None
        health = board.worker.health()
        assert health.alive and health.responsive and health.errors == 1
        assert "RuntimeError" in health.last_error
        assert board.check().state == "ok"
        assert board.ping()
    finally:
        board.close()


def test_a_hanging_on_event_makes_the_io_board_unresponsive_in_health() -> None:
    release = threading.Event()

    def on_event(event: DeviceEvent) -> None:
        if isinstance(event, BadgeRead) and event.badge_id == "HANG":
            release.wait(30)

    settings = settings_from_mapping({"devices": {"io_board_url": "sim://"}}).devices
    devices = Devices(settings, on_event, stall_s=0.3)
    devices.start()
    try:
        wait_for(lambda: devices.health_snapshot()["io_board"]["state"] == "ok")
        assert devices.responsive()
        assert devices.board_sim is not None
        devices.board_sim.swipe_badge("HANG")
        wait_for(lambda: devices.health_snapshot()["io_board"]["state"] == "error")
        assert devices.health_snapshot()["io_board"]["reason"] == "io-board worker stalled"
        assert not devices.responsive()
        assert any(w.name == "io-board" and not w.responsive() for w in devices.workers())
        # the supervisor's next check records it too (the technician view and telemetry)
        recorded = devices.supervisor.health.get
        wait_for(lambda: getattr(recorded("io_board"), "state", "") == "error")
        release.set()
        wait_for(lambda: devices.health_snapshot()["io_board"]["state"] == "ok")
        assert devices.responsive()
    finally:
        release.set()
        devices.stop()


class _FirstFrameFails(FrameAnalyzer):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def analyze(self, frame: np.ndarray, *, look_for_qr: bool = True, thorough: bool = False) -> FrameResult:
        self.calls += 1
        if self.calls == 1:
            raise ValueError("garbage frame")
        return super().analyze(frame, look_for_qr=look_for_qr, thorough=thorough)


def test_a_raising_analyzer_and_callback_do_not_stop_the_camera_worker(tmp_path: Path) -> None:
    empty, person, code = frame_of(NO_PERSON[0]), frame_of(PERSON), qr_frame(6, 10, 0)
    video = tmp_path / "lobby.avi"
    write_video(video, [empty] * 3 + [person] * 6 + [code] * 4 + [empty] * 8)
    on_event = RaisingOn(lambda e: isinstance(e, PresenceChanged) and e.present)
    analyzer = _FirstFrameFails()
    camera = Camera(
        str(video),
        on_event,
        idle_fps=500,
        active_fps=500,
        absent_after_s=0.0,
        loop_files=False,
        analyzer=analyzer,
    )
    camera.open()
    try:
        assert camera.wait_finished(timeout=60)
        assert camera.worker is not None
        health = camera.worker.health()
    finally:
        camera.close()
    assert analyzer.calls == 21  # every frame after the one that raised was still analysed
    assert health.errors == 2  # the analyzer once, the callback once
    assert on_event.events.of(QrDecoded) == [QrDecoded(TEXT)]  # delivered after the raise
    assert on_event.events.of(PresenceChanged)[-1] == PresenceChanged(False, "camera")


def test_a_hanging_camera_callback_shows_as_stalled_in_health(tmp_path: Path) -> None:
    release = threading.Event()
    video = tmp_path / "person.avi"
    write_video(video, [frame_of(PERSON)] * 4)

    def on_event(event: DeviceEvent) -> None:
        if isinstance(event, PresenceChanged):
            release.wait(30)

    settings = settings_from_mapping({"devices": {"camera": str(video)}}).devices
    devices = Devices(settings, on_event, stall_s=0.3)
    devices.start()
    try:
        wait_for(lambda: devices.health_snapshot()["camera"]["reason"] == "camera worker stalled")
        assert devices.health_snapshot()["camera"]["state"] == "error"
        assert not devices.responsive()
        release.set()
        wait_for(lambda: devices.health_snapshot()["camera"]["state"] == "ok")
    finally:
        release.set()
        devices.stop()
