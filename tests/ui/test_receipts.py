"""The screen is the truth (real mosquitto, the touch kiosk offscreen): the ``display``
receipt is what a presented frame drew, never ahead of it, and a status change that lands
at any step of the kiosk's start-up is drawn and receipted all the same."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtGui import QGuiApplication

import ui.board_model as board_model
import ui.run as ui_run
from config.settings import DeviceSettings, Settings, SpeechSettings, UiSettings
from core.clock import SystemClock
from hub.desk_cli import _DRAWN
from hub.service import HubService
from kiosk.assembly import KioskApp
from sync import messages as m
from sync import staff_messages as sm
from sync.topics import TopicTree
from sync.wire import decode
from tests.support.broker import Broker, retained_raw
from tests.support.site import morning_from_now, site_settings, start_hub, status_request
from ui.app import KioskUi
from ui.board_model import BoardFrame
from ui.run import TouchFrontend

OKAFOR = "Dr. Ngozi Okafor"


def _until(predicate: Callable[[], object], what: str, seconds: float = 15.0) -> None:
    """Turn the Qt loop (frames, queued signals) and let the other threads run: QTest.qWait
    keeps the GIL while it waits, which starves the sync, link and hub workers."""
    deadline = time.monotonic() + seconds
    app = QGuiApplication.instance()
    while time.monotonic() < deadline:
        if predicate():
            return
        if app is not None:
            app.processEvents()
        time.sleep(0.005)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _pause(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QGuiApplication.processEvents()
        time.sleep(0.002)


@pytest.fixture
def hub(tmp_path: Path, broker: Broker) -> Iterator[HubService]:
    hub = start_hub(broker.settings(), tmp_path / "hub", morning_starts=morning_from_now())
    yield hub
    hub.stop()


class Receipts:
    """Every ``display`` receipt the hub records, with the moment it arrived."""

    def __init__(self, hub: HubService) -> None:
        self.seen: list[tuple[float, m.DisplayAck]] = []
        self._lock = threading.Lock()
        hub.add_listener(self._on_message)

    def _on_message(self, _event: str, msg: object) -> None:
        if isinstance(msg, m.DisplayAck):
            with self._lock:
                self.seen.append((time.monotonic(), msg))

    def all(self) -> list[tuple[float, m.DisplayAck]]:
        with self._lock:
            return list(self.seen)

    def last(self) -> m.DisplayAck | None:
        seen = self.all()
        return seen[-1][1] if seen else None


def _settings(tmp_path: Path, broker: Broker) -> Settings:
    return dataclasses.replace(
        site_settings(broker.settings(), tmp_path / "kiosk"),
        devices=DeviceSettings(io_board_url="sim://", printer_url="sim://"),
        ui=UiSettings(fullscreen=False),
        speech=SpeechSettings(enabled=False),
    )


def _versions(hub: HubService) -> dict[str, int]:
    return {s.provider_id: s.version for s in hub.call(lambda store: store.statuses())}


def _shown(front: TouchFrontend) -> str:
    ui = front.ui
    item = ui.find(f"status_{OKAFOR}", visible_only=False) if ui is not None else None
    return "" if item is None else str(item.property("text"))


def test_each_receipt_is_a_presented_frame_and_never_ahead_of_it(
    tmp_path: Path, broker: Broker, hub: HubService, qapp: QGuiApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipts = Receipts(hub)
    presented: list[tuple[float, BoardFrame]] = []
    board_on_swapped = board_model.BoardModel._on_swapped

    def on_swapped(board: board_model.BoardModel) -> None:
        # The moment of the swap is read before the board reports the frame on: read after
        # it, the receipt could reach the hub first on a busy machine (a test-side race).
        at, before = time.monotonic(), board.presented
        board_on_swapped(board)
        if board.presented is not None and board.presented is not before:
            presented.append((at, board.presented))

    monkeypatch.setattr(board_model.BoardModel, "_on_swapped", on_swapped)
    front = TouchFrontend()
    app = KioskApp(_settings(tmp_path, broker), clock=SystemClock(), poster=front.poster)
    ui = front.open(app)
    try:
        _until(lambda: cast(int, ui.board_model.count) == 4, "the day on the board")
        drawn: dict[int, tuple[str, int]] = {}  # okafor's version → what the hub set
        for delay in (5, 10, 15, 20, 25, 30):
            result = hub.set_status(status_request("okafor", "late", delay))
            drawn[result.status_version] = ("late", delay)
            _pause(delay / 1000)  # some changes land mid-frame, some between frames
        result = hub.set_status(status_request("okafor", "on_time"))
        drawn[result.status_version] = ("on_time", 0)
        final = {p: v for p, v in _versions(hub).items() if v}  # a provider never changed: version 0
        _until(
            lambda: (r := receipts.last()) is not None and r.versions == final,
            f"the final receipt {final} (got {receipts.last()})",
        )
        _until(lambda: _shown(front) == "On time", "the screen to show the last change")
    finally:
        front.close()

    frames = list(presented)
    assert frames, "no frame was presented"
    for arrived, receipt in receipts.all():
        assert receipt.screen, "a kiosk with a screen published a receipt from its cache"
        # The receipt is a frame that was presented before the hub heard of it.
        matching = [at for at, frame in frames if frame.versions == receipt.versions]
        assert matching and min(matching) <= arrived, f"receipt {receipt.versions} ahead of every frame"
    for _at, frame in frames:  # and what that frame drew is what those versions say
        for row in frame.rows:
            version = frame.versions.get(row.provider_id, 0)
            if row.provider_id == "okafor" and version in drawn:
                assert (row.state, row.delay_min) == drawn[version]
    stored = hub.call(lambda store: store.kiosks())
    assert [(k["id"], _DRAWN[k["display_screen"]]) for k in stored] == [("lobby-1", "screen")]


def test_a_headless_kiosk_says_so_and_the_hub_shows_it(
    tmp_path: Path, broker: Broker, hub: HubService
) -> None:
    import io

    from kiosk.app import HeadlessFrontend

    receipts = Receipts(hub)
    front = HeadlessFrontend()
    app = KioskApp(_settings(tmp_path, broker), clock=SystemClock(), poster=front.poster)
    front.open(app, stream=io.StringIO())
    try:
        version = hub.set_status(status_request("okafor", "late", 10)).status_version
        deadline = time.monotonic() + 60
        while (r := receipts.last()) is None or r.versions.get("okafor") != version:
            assert time.monotonic() < deadline, "no receipt from the headless kiosk"
            time.sleep(0.02)
        assert not r.screen
        stored = hub.call(lambda store: store.kiosks())
        assert stored[0]["display_screen"] == 0 and _DRAWN[0] == "headless"
        topic = TopicTree("acme", "main").receipt("okafor")
        deadline = time.monotonic() + 60
        while True:  # the retained receipt the hub republishes names the headless kiosk
            receipt = decode(retained_raw(broker, topic), sm.DisplayReceipt)
            if (receipt.status_version, receipt.displayed_by) == (
                version,
                ["lobby-1"],
            ) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert (receipt.status_version, receipt.displayed_by, receipt.headless) == (
            version,
            ["lobby-1"],
            ["lobby-1"],
        )
    finally:
        front.close()


STEPS = [
    "started storage",
    "started sync",
    "started devices",
    "started tickets",
    "started flow",
    "started admin",
    "board read",
    "ui built",
]


@pytest.mark.parametrize("step", STEPS)
def test_a_change_during_start_up_is_drawn_and_receipted(
    step: str,
    tmp_path: Path,
    broker: Broker,
    hub: HubService,
    qapp: QGuiApplication,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receipts = Receipts(hub)
    front = TouchFrontend()
    state = {"sync": False, "version": 0}

    def change_now() -> None:
        """The front desk sets Okafor late at exactly this step (applied by the kiosk's cache
        before the step goes on, once its sync loop runs)."""
        if state["version"]:
            return
        state["version"] = hub.set_status(status_request("okafor", "late", 40)).status_version
        if state["sync"]:
            deadline = time.monotonic() + 60
            while getattr(app.sync.call(lambda c: c.status("okafor")), "version", 0) != state["version"]:
                assert time.monotonic() < deadline, "the kiosk did not apply the change"
                time.sleep(0.01)

    def trace(what: str) -> None:
        state["sync"] = state["sync"] or what == "started sync"
        if what == step:
            change_now()

    if step == "board read":
        first_read = board_model.BoardModel.refresh

        def refresh_then_change(self: board_model.BoardModel) -> None:
            first_read(self)
            change_now()

        monkeypatch.setattr(board_model.BoardModel, "refresh", refresh_then_change)
    if step == "ui built":
        build = KioskUi

        def build_then_change(*args: Any, **kwargs: Any) -> Any:
            built = build(*args, **kwargs)
            change_now()
            return built

        monkeypatch.setattr(ui_run, "KioskUi", build_then_change)

    app = KioskApp(_settings(tmp_path, broker), clock=SystemClock(), poster=front.poster, trace=trace)
    front.open(app)
    try:
        assert state["version"], f"step {step!r} never came"
        # Well before the board's periodic reconcile (5 s): the notification was not lost.
        _until(lambda: _shown(front) == "Running 40 min late", f"the change made at {step!r} on screen", 4.0)
        final = {p: v for p, v in _versions(hub).items() if v}  # a provider never changed: version 0
        _until(lambda: (r := receipts.last()) is not None and r.versions == final, "the receipt to match")
        assert front.ui is not None and dict(front.ui.board_model.frame.versions) == final
    finally:
        front.close()


def test_a_receipt_from_an_older_kiosk_decodes_as_the_caches() -> None:
    old = b'{"kind":"display","schema":"1.0","kiosk_id":"lobby-9","versions":{"chen":3}}'
    assert decode(old, m.DisplayAck) == m.DisplayAck("lobby-9", {"chen": 3}, screen=False)


def test_the_board_reconciles_with_the_cache_without_being_told(qapp: QGuiApplication) -> None:
    from domain.board import BoardRow
    from sync.cache import Provider
    from ui.board_model import BoardModel

    status = {"chen": m.ProviderStatus("chen", 1, "on_time")}
    providers = [Provider("chen", "Dr. Wei Chen", "", 1)]
    model = BoardModel(lambda: (providers, dict(status)), lambda: 0.0, 900.0)
    model.reconcile_every(20)
    status["chen"] = m.ProviderStatus("chen", 2, "late", delay_min=15)  # no notification
    _until(lambda: model.frame.versions == {"chen": 2}, "the board to read the cache again", 2.0)
    assert model.rows == [BoardRow("chen", "Dr. Wei Chen", "late", 15, "")]
    model.detach()
