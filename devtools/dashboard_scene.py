"""A morning for the dashboard's screenshots: a real broker, the hub with the sample day,
one real kiosk online, one that went offline still showing an old status, a dozen
arrivals by every method, three status changes and an escalation."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from config.settings import HubWebSettings, StaffSettings
from core.clock import SystemClock
from devtools.bench_sync import bench_settings
from devtools.local_broker import Broker
from domain.metrics import FlowMetrics
from domain.staff import hash_secret
from hub.origin import RequestOrigin
from hub.sample import sample_morning, start_near
from hub.service import HubService
from hub.status_command import build_request
from hub.store import HubStore
from hub.web import DashboardServer
from hub.web.records import set_password
from sync import messages as m
from sync import staff_messages as sm
from sync.call_report import CallOutcome, report
from sync.kiosk_sync import KioskSync
from sync.link import LinkEvent
from sync.wire import Message, encode

PASSWORD = "screenshot-pw-1"  # noqa: S105 - of a throwaway database
STAFF = StaffSettings(
    members={"desk-ann": f"front_desk:{hash_secret('0000')}", "boss-bo": f"supervisor:{hash_secret('0000')}"}
)
_METHODS: list[m.CheckInMethod] = ["dob", "dob", "voice", "code", "qr", "dob", "voice", "staff"]


@dataclass
class Scene:
    broker: Broker
    hub: HubService
    dashboard: DashboardServer
    kiosk: KioskSync

    def stop(self) -> None:
        self.dashboard.stop()
        self.kiosk.stop()
        self.hub.stop()
        self.broker.stop()


def start_scene(state: Path) -> Scene:
    broker = Broker(state / "broker")
    broker.start()
    settings = bench_settings(broker.port, state, "hub", STAFF)
    settings = replace(settings, hub=replace(settings.hub, web=HubWebSettings(enabled=True, port=0)))
    hub = HubService(settings)
    hub.start(sample_morning(SystemClock().now().date(), start=start_near(SystemClock().now(), 90)))
    hashes = {staff_id: hash_secret(PASSWORD) for staff_id in STAFF.members}

    def passwords(store: HubStore) -> None:
        for staff_id, stored in hashes.items():
            set_password(store, staff_id, stored, "scene")

    hub.call(passwords)
    kiosk = KioskSync(bench_settings(broker.port, state, "lobby-1", STAFF))
    kiosk.start()
    dashboard = DashboardServer(settings, hub)
    dashboard.start()
    _populate(hub)
    return Scene(broker, hub, dashboard, kiosk)


def _flow_counts() -> dict[str, float]:
    """A morning's check-in flow as a kiosk's metrics would report it."""
    flow = FlowMetrics()
    for i, took in enumerate((12, 18, 22, 25, 28, 35, 41, 48, 55, 70, 95, 130, 26, 33, 19)):
        flow.started(0.0, SystemClock().now().date().isoformat())
        if i % 3 == 0:
            flow.heard_voice()
        if i in (4, 11, 12):
            flow.abandoned(float(took), "dob")
        else:
            flow.completed(float(took), "voice" if i % 6 == 0 else "dob", "checked_in")
    return flow.summary()


def _inject(hub: HubService, topic: str, msg: Message) -> None:
    hub.on_link_event(LinkEvent("message", topic, encode(msg)))


# A morning's calls to the phone line as it reports them (sync.call_report): outcome kinds.
_CALLS: tuple[tuple[frozenset[CallOutcome], int], ...] = (
    (frozenset({"status_heard"}), 48),
    (frozenset({"status_heard", "own_found"}), 95),
    (frozenset({"status_heard", "callback_left"}), 62),
    (frozenset({"own_not_found", "callback_left"}), 121),
    (frozenset({"status_heard", "transferred"}), 40),
    (frozenset({"hung_up_early"}), 6),
    (frozenset({"status_heard"}), 51),
    (frozenset({"own_refused"}), 88),
)


def _phone_calls(hub: HubService, at: str) -> None:
    topic = hub.tree.kiosk("phone-1", "event")
    for outcomes, seconds in _CALLS:
        detail = report(outcomes, seconds).detail()
        _inject(hub, topic, sm.StaffEvent(uuid.uuid4().hex, "phone-1", at, "call_report", detail=detail))
    for n in range(2):
        detail = f"phone call c-0000000{n}: call back withheld number"
        _inject(hub, topic, sm.StaffEvent(uuid.uuid4().hex, "phone-1", at, "callback_request", detail=detail))


def _populate(hub: HubService) -> None:
    tree = hub.tree
    now = SystemClock().now()
    appts = hub.call(lambda store: [a for a in store.appointments() if datetime.fromisoformat(a.start) < now])
    for i, appt in enumerate(appts[-12:]):
        arrived = datetime.fromisoformat(appt.start) - timedelta(minutes=8 - i % 11)
        msg = m.CheckIn(
            uuid.uuid4().hex,
            "lobby-1",
            appt.id,
            appt.provider_id,
            min(arrived, now).isoformat(timespec="seconds"),
            _METHODS[i % len(_METHODS)],
            "front_desk" if i == 5 else "checked_in",
        )
        _inject(hub, tree.checkin("lobby-1"), msg)
    for req, origin in (
        (build_request("martinez", "late", "20", "traffic", "desk-ann"), RequestOrigin.PRACTICE_CLI),
        (build_request("chen", "out", None, "sick", "boss-bo"), RequestOrigin.PRACTICE_CLI),
        (build_request("okafor", "leaving", "15:30", "", "boss-bo"), RequestOrigin.PRACTICE_CLI),
    ):
        hub.set_status(req, origin)
    at = now.isoformat(timespec="seconds")
    _inject(hub, tree.availability("lobby-2"), m.KioskAvailability("lobby-2", True, "0.9.1", at))
    _inject(hub, tree.display("lobby-2"), m.DisplayAck("lobby-2", {"martinez": 0, "chen": 0}, at))
    _inject(
        hub,
        tree.health("lobby-2"),
        m.KioskHealth(
            "lobby-2",
            at,
            False,
            1260.0,
            3,
            "0.9.1",
            devices={"printer": m.DeviceState("error", "paper out"), "io_board": m.DeviceState("ok")},
            metrics=_flow_counts(),
        ),
    )
    _inject(hub, tree.availability("lobby-2"), m.KioskAvailability("lobby-2", False, "0.9.1", at))
    _inject(hub, tree.kiosk("lobby-2", "event"), sm.StaffEvent(uuid.uuid4().hex, "lobby-2", at, "lockout"))
    _phone_calls(hub, at)
    hub.call(lambda _store: True)  # everything injected is recorded
    time.sleep(0.5)  # the real kiosk's birth, display ack and health arrive
