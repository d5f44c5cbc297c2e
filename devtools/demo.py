"""``python -m devtools demo``: a private broker, the hub with a sample morning, and a kiosk.

The morning starts half an hour ago, whatever the time, so the story plays now: a few
patients check in, then Dr. Martinez calls in sick and the board changes on the kiosk
within a second. Ctrl-C stops everything the demo started.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path

from config.settings import (
    BrokerSettings,
    DeviceSettings,
    HubSettings,
    KioskSettings,
    Settings,
    SpeechSettings,
    StaffSettings,
    UiSettings,
)
from core.clock import CLOCK_SHIFT_ENV, SystemClock
from core.errors import KioskError
from core.logs import setup_logging
from core.worker import Worker
from devtools.local_broker import Broker
from domain.flow import CheckInFlow, FlowView, Screen
from domain.staff import hash_secret, provision_member
from hub.sample import sample_morning, start_near
from hub.service import HubService
from hub.store import HubStore
from hub.web import DashboardServer
from hub.web.records import set_password
from kiosk.app import HeadlessFrontend, has_display
from kiosk.assembly import KioskApp
from sync import messages as m
from sync.kiosk_sync import SyncChange

_DAY_MIN = 24 * 60


def _say(text: str) -> None:
    print(f"\n== {text}", file=sys.stderr, flush=True)


_DEMO_STAFF = {
    who: provision_member("demo-practice", who, role, pin, n=2**12)
    for who, role, pin in (("desk", "front_desk", "1111"), ("super", "supervisor", "2222"))
}


def hub_side(settings: Settings) -> Settings:
    """The hub's settings: the same, but staff entries hold proof keys, not PIN verifiers."""
    return replace(settings, staff=StaffSettings(members={w: h for w, (_k, h) in _DEMO_STAFF.items()}))


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
        # The dashboard's demo accounts (kiosk PINs 1111 and 2222): the kiosk's side of
        # each (a PIN verifier); the hub gets the proof keys (``hub_side``).
        staff=StaffSettings(members={who: kiosk for who, (kiosk, _hub) in _DEMO_STAFF.items()}),
        speech=SpeechSettings(whisper_model=_whisper_model(), whisper_model_es=_spanish_model()),
        # The arrival window spans the day, so the story plays at any hour.
        ui=UiSettings(
            fullscreen=False,
            practice_name="Demo Family Practice",
            arrive_before_min=_DAY_MIN,
            arrive_after_min=_DAY_MIN,
        ),
    )


def _whisper_model() -> str:
    """Whisper tiny.en (installed by `make` from the pinned wheel); "" without it: pocketsphinx."""
    from devtools.whisper_model import tiny_en_model

    try:
        return str(tiny_en_model().resolve())
    except (ImportError, KioskError):
        return ""


def _spanish_model() -> str:
    """Whisper base for Spanish by voice (joined from its two pinned wheels the first time);
    "" without them: Spanish by touch."""
    from devtools.whisper_model import base_model

    try:
        return str(base_model().resolve())
    except (ImportError, KioskError):
        return ""


def _demo_clock() -> SystemClock:
    """The real clock in clinic hours (07:00 to 19:00), else the clock moved to 09:30 today
    (said on the terminal), so `make demo` shows a clinic's morning at any hour: late at
    night no morning fits before midnight, and at 05:00 a "morning" would start at 04:30."""
    clock = SystemClock()
    if os.environ.get(CLOCK_SHIFT_ENV) or 7 <= clock.now().hour < 19:
        return clock
    real = clock.now()
    shift = datetime.combine(real.date(), datetime.min.time()).replace(hour=9, minute=30) - real
    os.environ[CLOCK_SHIFT_ENV] = f"{shift.total_seconds():.0f}"  # the kiosk UI process inherits it
    _say(f"it is {real:%H:%M}: the demo runs as if at 09:30 ({CLOCK_SHIFT_ENV}={shift.total_seconds():.0f})")
    return SystemClock()


def run_demo(args: argparse.Namespace) -> int:
    setup_logging("WARNING")
    clock = _demo_clock()
    code = 0
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        settings = demo_settings(broker.port, state)
        start = start_near(clock.now(), minutes_ago=30)
        plan = sample_morning(clock.now().date(), start=start)
        hub = HubService(hub_side(settings), clock=clock)
        touch = has_display() and not args.headless
        dashboard = None
        try:
            _say(
                f"broker on 127.0.0.1:{broker.port}; hub loads {len(plan.appointments)} appointments, "
                f"{len(plan.providers)} providers"
            )
            hub.start(plan)
            dashboard = start_demo_dashboard(hub_side(settings), hub)
            stop_after_s = args.minutes * 60 if args.minutes else None
            code = (_touch_demo if touch else _headless_demo)(settings, hub, clock, stop_after_s)
        except KeyboardInterrupt:
            pass
        finally:
            if dashboard is not None:
                dashboard.stop()
            hub.stop()
            broker.stop()
            _say("stopped: kiosk, hub and broker")
    return code


def start_demo_dashboard(settings: Settings, hub: HubService) -> DashboardServer | None:
    """The practice dashboard on 127.0.0.1 (a free port if 8470 is taken), with two demo
    accounts whose passwords are printed; None (and a line saying why) if it cannot start."""
    web = replace(settings.hub.web, enabled=True)
    passwords = {"desk": "demo-desk-pass", "super": "demo-super-pass"}
    hashes = {staff_id: hash_secret(p) for staff_id, p in passwords.items()}

    def store_passwords(store: HubStore) -> None:
        for staff_id, stored in hashes.items():
            set_password(store, staff_id, stored, "demo")

    hub.call(store_passwords)
    for port in (web.port, 0):
        dashboard = DashboardServer(
            replace(settings, hub=replace(settings.hub, web=replace(web, port=port))), hub
        )
        try:
            dashboard.start()
        except KioskError:
            continue
        _say(
            f"dashboard: {dashboard.url}  (sign in as desk / {passwords['desk']} or super / "
            f"{passwords['super']})"
        )
        return dashboard
    _say("the dashboard could not start")
    return None


def _headless_demo(
    settings: Settings, hub: HubService, clock: SystemClock, stop_after_s: float | None
) -> int:
    """The headless frontend: the board printed on every change; the story, then serve."""
    front = HeadlessFrontend()
    app = KioskApp(settings, clock=clock, poster=front.poster, exit_app=front.exit)

    def story() -> None:
        _story(hub, app, clock)
        _say("headless: no display (the touch UI opens where there is one). Ctrl-C to stop.")

    return front.run(app, stop_after_s=stop_after_s, on_started=story)


def _touch_demo(settings: Settings, hub: HubService, clock: SystemClock, stop_after_s: float | None) -> int:
    """The touch UI on the main thread (devices as simulators); the story plays beside it."""
    from ui.run import TouchFrontend

    _say("the touch UI opens (devices: sim://). The story plays on the screen; Ctrl-C to stop.")
    front = TouchFrontend()
    app = KioskApp(settings, clock=clock, poster=front.poster, exit_app=front.exit)
    teller = Worker("demo-story", stall_s=120.0)
    teller.start()
    try:
        return front.run(
            app, quit_after_s=stop_after_s or 0.0, on_started=lambda: teller.post(_story, hub, app, clock)
        )
    finally:
        teller.stop()


def _story(hub: HubService, app: KioskApp, clock: SystemClock) -> None:
    """Three patients check in at the kiosk as a patient would, then a provider calls in sick."""
    kiosk = app.sync
    _wait(lambda: kiosk.call(lambda c: len(c.providers())) == 4, 15)
    patients = [a for a in kiosk.call(lambda c: c.appointments_for("chen"))][:3]
    for appt in patients:
        digits = datetime.fromisoformat(appt.dob).strftime("%m%d%Y")
        view = app.poster.call(partial(_check_in, app.flow, digits, appt.last_prefix[:2]))
        shown = view.patient
        if shown is None or not view.queued:
            _say(f"a patient could not check in: the kiosk said {view.message or view.screen}")
            continue
        printed = "" if view.ticket in ("", "failed") else "; a ticket prints"
        _say(
            f"a patient checks in by date of birth: {shown.first_name} {shown.last_initial}. "
            f"at {shown.time} with {shown.provider_name}{printed}"
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


def _check_in(flow: CheckInFlow, digits: str, letters: str) -> FlowView:
    """On the flow thread: what a patient taps, from the attract screen to "done"."""
    flow.wake()
    flow.start("dob")
    flow.enter_dob(digits)
    if flow.view.screen == Screen.LETTERS:
        flow.enter_letters(letters)
    flow.confirm(True)
    outcome = flow.view.outcome
    if flow.view.screen == Screen.OUTCOME and not flow.view.queued and outcome is not None:
        flow.choose(outcome.options[0])
    view = flow.view
    flow.finish()
    return view


def _wait(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
