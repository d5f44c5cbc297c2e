"""The display server dies under a running kiosk (real mosquitto, real hub, the real
``KioskApp`` on Xvfb) and a new one starts on the same display, later than systemd starts
the kiosk again: the kiosk waits for it, then draws the board from its cache full screen,
shows the status change made while it was away, and its receipt says what it drew; the
check-in a patient made just before the screen went dark reaches the hub once."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.xvfb import XServer
from hub.sample import sample_morning
from hub.service import HubService
from sync import messages as m
from tests.support.broker import Broker, broker_toml
from tests.support.clock import wall_now, wall_today
from tests.support.site import morning_from_now, start_hub, status_request, wait_for
from tests.ui_x11.conftest import MISSING, SIZE, Finger, Kiosk, restarts
from ui.display import DISPLAY_LOST_EXIT

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {MISSING} (deps/apt-ui-test.txt)")

OKAFOR = "Dr. Ngozi Okafor"
BACK_WITHIN_S = 10.0
"""From the new server accepting connections to a receipt of the board drawn on it."""


class Receipts:
    """Every ``display`` receipt the hub records, with the moment it arrived."""

    def __init__(self, hub: HubService) -> None:
        self._seen: list[tuple[float, m.DisplayAck]] = []
        self._lock = threading.Lock()
        hub.add_listener(self._on_message)

    def _on_message(self, _event: str, msg: object) -> None:
        if isinstance(msg, m.DisplayAck):
            with self._lock:
                self._seen.append((time.monotonic(), msg))

    def since(self, moment: float) -> list[m.DisplayAck]:
        with self._lock:
            return [ack for at, ack in self._seen if at >= moment]


def _tail(log: Path) -> str:
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if not line.startswith("device ")]
    return "the kiosk did not end with its display server:\n" + "\n".join(lines[-15:])


def _debug(receipts: Receipts, hub: HubService) -> str:
    versions = {s.provider_id: s.version for s in hub.call(lambda store: store.statuses())}
    return f"hub {versions}, receipts {receipts.since(0.0)}"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Broker, HubService]]:
    broker = Broker(tmp_path / "broker")
    broker.start()
    hub = start_hub(broker.settings(), tmp_path / "hub", morning_starts=morning_from_now())
    yield broker, hub
    hub.stop()
    broker.stop()


def _config(tmp_path: Path, broker: Broker) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nid = "lobby-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path / "kiosk"}"\n'
        "health_interval_s = 2\n"
        + broker_toml(broker, reconnect_min_s=0.1, reconnect_max_s=0.5)
        + '[devices]\nio_board_url = "sim://"\nprinter_url = "sim://"\n'
        "[ui]\nfullscreen = true\n[speech]\nenabled = false\n",
        encoding="utf-8",
    )
    return path


def _drawn(receipts: Receipts, hub: HubService, since: float) -> bool:
    """A receipt since ``since`` says the screen drew every status the hub has set (version
    0, a provider nobody changed yet, is on time and not in receipts)."""
    versions = {s.provider_id: s.version for s in hub.call(lambda store: store.statuses()) if s.version}
    return any(ack.screen and dict(ack.versions) == versions for ack in receipts.since(since))


def test_the_kiosk_draws_again_from_its_cache_after_the_x_serverrestarts(
    site: tuple[Broker, HubService], xserver: XServer, tmp_path: Path
) -> None:
    broker, hub = site
    receipts = Receipts(hub)
    config = _config(tmp_path, broker)
    first = Kiosk(xserver, tmp_path / "first", ["--site", str(config)])
    second: Kiosk | None = None
    server: XServer | None = None
    try:
        try:
            wait_for(lambda: _drawn(receipts, hub, 0.0), what="the first board drawn and receipted")
        except AssertionError:
            raise AssertionError(_debug(receipts, hub)) from None
        assert first.state()["fullscreen"] == "FullScreen"
        now = wall_now().isoformat()
        visitor = next(
            a
            for a in sample_morning(wall_today(), start=morning_from_now()).appointments
            if a.provider_id != "okafor" and a.start > now
        )
        finger = Finger(first)
        finger.tap("startButton")
        finger.tap("codeButton")
        finger.type(visitor.code)
        finger.tap("continueButton")
        finger.tap("yesButton")
        assert first.state()["screen"] == "outcome"
        # The screen goes dark with the patient still on the outcome screen.
        number = xserver.number
        killed = time.monotonic()
        xserver.stop()
        try:
            code = first.proc.wait(10)
        except subprocess.TimeoutExpired:
            first.log.flush()
            raise AssertionError(_tail(tmp_path / "first" / "kiosk.log")) from None
        # Qt's xcb platform exits 1 when its server goes. Once beside stress-ng (2 cores, load
        # 6) a Qt thread crashed on the dead connection first (SIGSEGV): systemd restarts that
        # too (Restart=on-failure, checked below), so the patient sees the same; still open in
        # issue 29's note. A hang (the wait above) or any other status fails.
        assert code in (DISPLAY_LOST_EXIT, -signal.SIGSEGV), f"exit {code} when the display went"
        ended_after_s = time.monotonic() - killed
        restart, after_s = restarts("kiosk.service", code)
        assert restart, f"kiosk.service would not always restart after exit {code}"
        hub.set_status(status_request("okafor", "out"))  # told while the kiosk is away
        time.sleep(after_s)  # RestartSec, as systemd waits
        second = Kiosk(xserver, tmp_path / "second", ["--site", str(config)], wait=False)
        time.sleep(1.5)  # the display manager is slower than systemd: the kiosk waits for it
        assert second.proc.poll() is None, "the kiosk gave up before its display server came"
        server = XServer(number, size=SIZE)
        back = time.monotonic()
        second.server = server
        second.wait_ready(BACK_WITHIN_S)
        wait_for(lambda: _drawn(receipts, hub, back), BACK_WITHIN_S, "the board drawn again")
        drawn_after_s = time.monotonic() - back
        assert second.ask(f"text status_{OKAFOR}")["text"] == "Out today"
        state = second.state()
        assert state["fullscreen"] == "FullScreen" and state["geometry"] == [0, 0, *SIZE]
        assert state["screen"] == "attract"  # the patient's entry did not survive the restart
        hub.set_status(status_request("okafor", "late", 15))  # and it follows the hub again
        changed = time.monotonic()
        wait_for(lambda: _drawn(receipts, hub, changed), 60, "a later change drawn and receipted")
        assert second.ask(f"text status_{OKAFOR}")["text"] != "Out today"
        checkins = hub.call(lambda store: store.checkins())
        assert [c["appointment_id"] for c in checkins] == [visitor.id]  # delivered, once
        print(
            f"ended {ended_after_s:.2f} s after its server; back → drawn, receipted in {drawn_after_s:.2f} s"
        )
    finally:
        for k in (first, second):
            if k is not None:
                k.stop()
        if server is not None:
            server.stop()


def test_a_stop_as_soon_as_the_screen_is_up_is_not_lost(xserver: XServer, tmp_path: Path) -> None:
    """systemd's SIGTERM right after READY (the screen is up, the event loop not yet
    running) stops the kiosk at once, not at the stop timeout (3 of 4 runs hung before)."""
    for n in range(3):
        kiosk = Kiosk(xserver, tmp_path / f"k{n}")
        try:
            kiosk.proc.send_signal(signal.SIGTERM)
            # A lost SIGTERM never ends here (no systemd to kill it): 60 s is only the ceiling
            # for a busy machine (10 s timed out once beside stress-ng).
            assert kiosk.proc.wait(60) == 0
        finally:
            kiosk.stop()
