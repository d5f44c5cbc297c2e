"""``python -m devtools demo``: a private broker, the hub with a sample morning, and a kiosk.

The morning starts half an hour ago, whatever the time, so the story plays now: a few
patients check in, then Dr. Martinez calls in sick and the board changes on the kiosk
within a second. Ctrl-C stops everything the demo started.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from functools import partial
from pathlib import Path

from config.settings import BrokerSettings, DeviceSettings, HubSettings, KioskSettings, Settings, UiSettings
from core.clock import SystemClock
from core.logs import setup_logging
from devtools.local_broker import Broker
from domain.lookup import Match, find_by_dob
from hub.sample import sample_morning, start_near
from hub.service import HubService
from kiosk.app import HeadlessBoard, has_display
from sync import messages as m
from sync.cache import KioskCache
from sync.kiosk_sync import KioskSync, SyncChange


def _say(text: str) -> None:
    print(f"\n== {text}", file=sys.stderr, flush=True)


def demo_settings(port: int, state: Path) -> Settings:
    return Settings(
        kiosk=KioskSettings(
            id="lobby-1",
            practice="demo-practice",
            site="main",
            state_dir=str(state / "kiosk"),
            health_interval_s=5,
            log_level="WARNING",
        ),
        broker=BrokerSettings(port=port, reconnect_min_s=0.2, reconnect_max_s=2.0),
        hub=HubSettings(state_dir=str(state / "hub")),
        devices=DeviceSettings(io_board_url="sim://", printer_url="sim://"),
        ui=UiSettings(fullscreen=False, practice_name="Demo Family Practice"),
    )


def run_demo(args: argparse.Namespace) -> int:
    setup_logging("WARNING")
    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        settings = demo_settings(broker.port, state)
        start = start_near(clock.now(), minutes_ago=30)
        plan = sample_morning(clock.now().date(), start=start)
        hub = HubService(settings, clock=clock)
        kiosk = KioskSync(settings, clock=clock)
        kiosk.add_listener(HeadlessBoard(kiosk))
        touch = has_display() and not args.headless
        try:
            _say(
                f"broker on 127.0.0.1:{broker.port}; hub loads {len(plan.appointments)} appointments, "
                f"{len(plan.providers)} providers"
            )
            hub.start(plan)
            kiosk.start()
            _wait(lambda: kiosk.call(lambda c: len(c.providers())) == 4, 15)
            if touch:
                return _touch_demo(settings, hub, kiosk, plan, clock, args.minutes)
            _story(hub, kiosk, plan, clock)
            _say("headless: no display (the touch UI opens where there is one). Ctrl-C to stop.")
            deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            kiosk.stop()
            hub.stop()
            broker.stop()
            _say("stopped: kiosk, hub and broker")
    return 0


def _touch_demo(  # noqa: PLR0917 - the demo's parts, passed once
    settings: Settings, hub: HubService, kiosk: KioskSync, plan: object, clock: SystemClock, minutes: float
) -> int:
    """The touch UI on the main thread (devices as simulators); the story plays beside it."""
    from ui.run import run_touch_kiosk

    _say("the touch UI opens (devices: sim://). The story plays on the board; Ctrl-C to stop.")
    story = threading.Thread(target=_story, args=(hub, kiosk, plan, clock), name="demo-story", daemon=True)
    story.start()
    return run_touch_kiosk(settings, sync=kiosk, clock=clock, quit_after_s=minutes * 60)


def _story(hub: HubService, kiosk: KioskSync, plan: object, clock: SystemClock) -> None:
    patients = [a for a in kiosk.call(lambda c: c.appointments_for("chen"))][:3]
    for appt in patients:
        digits = datetime.fromisoformat(appt.dob).strftime("%m%d%Y")
        letters = appt.last_prefix[:2]
        match = kiosk.call(partial(_lookup, digits=digits, letters=letters))
        found = match.appointments[0]
        kiosk.submit(
            m.CheckIn(
                uuid.uuid4().hex,
                kiosk.kiosk_id,
                found.id,
                found.provider_id,
                clock.now().isoformat(timespec="minutes"),
                "dob",
            )
        )
        _say(
            f"a patient checks in by date of birth: {found.first_name} {found.last_prefix[:1]}. "
            f"at {found.start[11:]} with Dr. Chen"
        )
    _wait(lambda: hub.call(lambda s: s.checkin_count()) == len(patients), 10)
    _say(f"hub recorded {hub.call(lambda s: s.checkin_count())} check-ins")
    _say("7:43 — Dr. Martinez calls in sick. The practice changes her status once:")
    sent = time.perf_counter()
    seen = threading.Event()

    def on_change(change: SyncChange) -> None:
        if change.kind == "status" and change.provider_id == "martinez":
            seen.set()

    kiosk.add_listener(on_change)
    hub.set_status(
        m.StatusChangeRequest(
            uuid.uuid4().hex,
            "cli",
            "martinez",
            "out",
            "front-desk",
            clock.now().isoformat(timespec="minutes"),
            reason="sick",
        )
    )
    seen.wait(5)
    _say(f"the kiosk knew in {(time.perf_counter() - sent) * 1000:.0f} ms")
    hub.set_status(
        m.StatusChangeRequest(
            uuid.uuid4().hex,
            "cli",
            "okafor",
            "late",
            "front-desk",
            clock.now().isoformat(timespec="minutes"),
            delay_min=20,
        )
    )
    time.sleep(0.5)
    kiosks = hub.call(lambda s: s.kiosks())
    _say(
        "hub: kiosks and the status versions they display: "
        + "; ".join(f"{k['id']} {'online' if k['online'] else 'offline'} {k['display']}" for k in kiosks)
    )


def _lookup(cache: KioskCache, digits: str, letters: str) -> Match:
    return find_by_dob(cache, digits, letters)


def _wait(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
