"""The staff panel through the real QML, offscreen: staff touch what staff touch.

Sample staff: ana (supervisor, 482913), ben (front desk, 1234, badge BADGE-77), tom
(technician, 9999). The clock is the sample day's manual clock (09:05).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import TypeVar

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from devtools.ui_sample import BEN_BADGE, VISITORS, SampleDay
from domain.admin_backend import LogTail, compact_line
from hardware.events import BadgeRead, KeyPressed, PresenceChanged, QrDecoded
from kiosk.devices import route_device_event
from sync import messages as m
from sync import staff_messages as sm
from sync.kiosk_sync import SyncChange
from tests.support.staff import staff_pair
from tests.ui.conftest import Staff
from ui.app import KioskUi, UiOptions


@pytest.fixture
def staff_kiosk(qapp: QGuiApplication, day: SampleDay) -> Iterator[KioskUi]:
    ui = KioskUi(day.flow(), day.board, lambda: day.age_s, UiOptions(tick_ms=0), admin=day.admin())
    ui.show()
    yield ui
    ui.close()
    qapp.processEvents()


@pytest.fixture
def staff(staff_kiosk: KioskUi, qapp: QGuiApplication) -> Staff:
    return Staff(staff_kiosk, qapp)


M = TypeVar("M")


def sent(day: SampleDay, kind: type[M]) -> list[M]:
    return [msg for msg in day.staff_sent if isinstance(msg, kind)]


def events(day: SampleDay, action: str) -> list[sm.StaffEvent]:
    return [e for e in sent(day, sm.StaffEvent) if e.action == action]


def from_sync_thread(ui: KioskUi, change: SyncChange) -> None:
    worker = threading.Thread(target=ui.admin_model.on_sync_change, args=(change,))
    worker.start()
    worker.join()


# --- entering -------------------------------------------------------------------------


def test_the_corner_resets_the_patient_flow_before_the_pin_pad_opens(staff: Staff, day: SampleDay) -> None:
    staff.tap("startButton")
    staff.tap("codeButton")
    staff.type(VISITORS["long_name"].code)
    staff.tap("continueButton")
    assert staff.text("patientName").startswith("Maximiliano")
    staff.long_press("adminCorner", 3200)
    assert staff.ui.flow.view.screen == "attract" and staff.ui.flow.view.patient is None
    assert staff.visible("screen_admin_who") and staff.visible("adminPanel")
    assert not any("Maximiliano" in t for t in staff.all_texts())
    staff.tap("who_ben")  # the name first, then the PIN; Back returns to the names
    assert staff.visible("screen_admin_pin") and staff.text("pinPrompt") == "ben: enter your PIN"
    staff.tap("pinCancelButton")
    assert staff.visible("screen_admin_who")
    staff.tap("whoCancelButton")
    assert not staff.visible("adminPanel") and staff.visible("startButton")


# --- who may do what ------------------------------------------------------------------


def test_front_desk_sets_a_provider_20_minutes_late_and_it_is_sent(staff: Staff, day: SampleDay) -> None:
    staff.sign_in("ben")
    assert staff.visible("screen_admin_providers") and staff.text("adminWho") == "ben\nFront desk"
    staff.tap("late_chen")
    staff.tap("preset_30")
    staff.tap("lateMinus")
    staff.tap("lateMinus")
    assert staff.text("lateValue") == "20 min"
    staff.tap("reviewButton")
    assert staff.text("sendButton") == "Send the change" and not staff.visible("confirmNote")
    staff.tap("sendButton")
    [req] = sent(day, m.StatusChangeRequest)
    assert (req.provider_id, req.state, req.delay_min, req.requested_by, req.role, req.approved_by) == (
        "chen",
        "late",
        20,
        "ben",
        "front_desk",
        "",
    )
    assert staff.visible("screen_admin_requests") and staff.text("requestStatus_0") == "Waiting for the hub"


def test_front_desk_out_today_needs_a_supervisors_pin(staff: Staff, day: SampleDay) -> None:
    staff.sign_in("ben")
    staff.tap("out_martinez")
    assert not staff.item("reviewButton").isEnabled()  # a reason first
    staff.tap("reason_sick")
    staff.tap("reviewButton")
    assert staff.text("confirmNote") == "A supervisor must approve this change."
    staff.tap("sendButton")
    assert staff.visible("screen_admin_approver") and sent(day, m.StatusChangeRequest) == []
    assert not staff.visible("who_ben") and not staff.visible("who_tom")  # supervisors only
    staff.tap("who_ana")
    assert staff.visible("screen_admin_approve")
    assert staff.text("pinPrompt") == "ana: enter your PIN to approve"
    staff.type_pin("1234")  # ben's PIN under ana's name is no approval
    staff.tap("pinEnterButton")
    assert staff.text("pinPrompt") == "That is not a supervisor's PIN."
    staff.type_pin("482913")
    staff.tap("pinEnterButton")
    [req] = sent(day, m.StatusChangeRequest)
    assert (req.state, req.reason, req.requested_by, req.approved_by) == ("out", "sick", "ben", "ana")
    assert staff.visible("screen_admin_requests")
    assert [e.actor for e in events(day, "approve")] == ["ana"]


def test_a_technician_sees_the_technician_view_and_no_provider_actions(staff: Staff, day: SampleDay) -> None:
    staff.sign_in("tom")
    assert staff.visible("screen_admin_tech")
    assert not staff.visible("tab_providers") and not staff.visible("late_chen")
    assert staff.text("device_printer") == "printer: error (paper out)"
    assert (
        staff.text("syncOutbox") == "Outbox: 3 waiting" and staff.text("syncCacheAge") == "Cache: 4 min old"
    )
    staff.ui.admin_model.choose("chen", "late")  # not even through the model
    staff.ui.admin_model.show("providers")
    assert staff.page == "tech" and sent(day, m.StatusChangeRequest) == []


def test_restart_and_exit_are_the_technicians_and_audited(staff: Staff, day: SampleDay) -> None:
    staff.sign_in("ben")
    staff.ui.admin_model.restartService()
    staff.ui.admin_model.exitToDesktop()
    assert day.commands == [] and day.exits == []
    staff.tap("signOutButton")
    staff.sign_in("tom")
    staff.tap("restartButton")
    assert day.commands == [("systemctl", "--no-block", "restart", "kiosk")]
    assert not staff.visible("techError")
    staff.tap("exitDesktopButton")
    assert day.exits == [75] and not staff.visible("adminPanel")
    assert [e.detail for e in events(day, "technician_action")] == [
        "restart kiosk service",
        "exit to desktop",
    ]


def test_a_failed_restart_command_says_so(staff: Staff, day: SampleDay) -> None:
    staff.ui.admin_model.backend.run_command = lambda _argv: 1
    staff.sign_in("tom")
    staff.tap("restartButton")
    assert staff.text("techError") == "The restart command failed. See the log."


def test_among_60_staff_a_member_pages_to_their_name_and_signs_in(staff: Staff, day: SampleDay) -> None:
    pins = {f"m{i:02d}": ("front_desk", f"{500000 + 37 * i}") for i in range(60)}
    staff.ui.admin_model.use_session(day.admin(staff_pair(pins, {})[0]))
    staff.ui.resize(800, 480)
    staff.ui.open_admin()
    assert staff.visible("who_m00") and not staff.visible("who_m47")
    assert not staff.item("whoPrevButton").isEnabled()
    while not staff.visible("who_m47"):
        staff.tap("whoNextButton")
    assert not staff.visible("who_m00")
    staff.tap("who_m47")
    staff.type_pin(pins["m46"][1])  # a colleague's PIN under m47's name
    staff.tap("pinEnterButton")
    assert staff.text("pinPrompt") == "Wrong PIN. Try again."
    staff.type_pin(pins["m47"][1])
    staff.tap("pinEnterButton")
    assert staff.page == "providers" and staff.text("adminWho") == "m47\nFront desk"


# --- lockout and idle -------------------------------------------------------------------


def test_five_wrong_pins_lock_the_entry_until_the_lockout_ends(staff: Staff, day: SampleDay) -> None:
    staff.ui.open_admin()
    staff.tap("who_ana")
    for attempt in range(5):
        staff.type_pin("0000")
        staff.tap("pinEnterButton")
        if attempt < 4:
            assert staff.text("pinPrompt") == "Wrong PIN. Try again."
    assert staff.visible("screen_admin_locked")
    assert staff.text("lockoutMessage") == "Too many wrong PINs. Try again in 5:00."
    assert len(events(day, "lockout")) == 1 and len(events(day, "login_failed")) == 5
    day.clock.advance(30)
    staff.ui.tick()
    assert staff.text("lockoutMessage") == "Too many wrong PINs. Try again in 4:30."
    staff.tap("lockedCloseButton")
    day.clock.advance(269)
    staff.ui.open_admin()  # still locked; the right PIN cannot even be typed
    assert staff.visible("screen_admin_locked") and not staff.visible("pin_4")
    assert staff.text("lockoutMessage") == "Too many wrong PINs. Try again in 0:01."
    day.clock.advance(1)
    staff.ui.tick()
    assert staff.visible("screen_admin_who")
    staff.tap("who_ana")
    staff.type_pin("482913")
    staff.tap("pinEnterButton")
    assert staff.visible("screen_admin_providers")


def test_the_session_ends_after_60_s_idle(staff: Staff, day: SampleDay) -> None:
    staff.sign_in("ben")
    day.clock.advance(59)
    staff.ui.tick()
    staff.tap("late_chen")  # a touch: the minute starts again
    day.clock.advance(59)
    staff.ui.tick()
    assert staff.visible("screen_admin_action")
    day.clock.advance(1)
    staff.ui.tick()
    assert not staff.visible("adminPanel") and staff.ui.admin_model.panel.session.member is None
    assert events(day, "logout")[-1].detail == "idle"


def test_a_pin_pad_left_open_gives_the_screen_back_to_patients(staff: Staff, day: SampleDay) -> None:
    staff.ui.open_admin()
    staff.tap("who_ben")
    staff.tap("pin_1")
    day.clock.advance(60)
    staff.ui.tick()
    assert not staff.visible("adminPanel") and staff.visible("startButton")


def test_a_patient_facing_reset_ends_the_session(staff: Staff, day: SampleDay) -> None:
    staff.sign_in("ana")
    staff.ui.flow.wake()  # the patient flow moved (e.g. voice or a scan): staff are signed out
    assert not staff.visible("adminPanel") and events(day, "logout")[-1].detail == "patient"


def test_sign_out(staff: Staff, day: SampleDay) -> None:
    staff.sign_in("ana")
    staff.tap("signOutButton")
    assert not staff.visible("adminPanel") and events(day, "logout")[-1].actor == "ana"


def test_twenty_pin_checks_in_a_row_start_no_thread(staff: Staff, day: SampleDay) -> None:
    model = staff.ui.admin_model
    before = {t.ident for t in threading.enumerate()}
    count = threading.active_count()
    names_seen: set[str] = set()
    for n in range(20):
        staff.sign_in("ana" if n % 2 else "ben")
        assert staff.page == "providers"
        names_seen.update(t.name for t in threading.enumerate())
        staff.tap("signOutButton")
    assert {t.ident for t in threading.enumerate()} == before
    assert threading.active_count() == count
    assert model.pin_worker.health().handled == 20 and model.pin_worker.health().errors == 0
    assert "pin-check" in names_seen and model.pin_worker.running


def test_the_pad_stays_disabled_while_a_pin_is_checked(staff: Staff, day: SampleDay) -> None:
    model = staff.ui.admin_model
    release = threading.Event()
    model.pin_worker.post(release.wait, 10.0)  # the worker busy: the next check must wait
    staff.ui.open_admin()
    staff.tap("who_ana")
    staff.type_pin("482913")
    staff.item("pinEnterButton")
    model.submitPin()
    model.submitPin()  # a second Enter while checking is ignored
    assert model.checking
    release.set()
    assert model.wait_checked()
    assert staff.page == "providers" and model.pin_worker.health().handled == 2


# --- badges and device events -------------------------------------------------------


def test_a_badge_signs_in_only_while_the_entry_is_open(staff: Staff, day: SampleDay) -> None:
    flow, entry = staff.ui.flow, staff.ui.admin_model
    route_device_event(flow, entry, BadgeRead(BEN_BADGE))  # closed: not for the patient flow, not a sign-in
    assert staff.ui.flow.view.screen == "attract" and not staff.visible("adminPanel")
    staff.ui.open_admin()
    assert staff.visible("screen_admin_who")  # a badge needs no name picked
    route_device_event(flow, entry, BadgeRead("BADGE-00"))
    assert events(day, "login_failed")[-1].actor == ""
    assert staff.text("whoPrompt") == "That badge is not known here."
    route_device_event(flow, entry, BadgeRead(BEN_BADGE))
    assert staff.visible("screen_admin_providers") and staff.text("adminWho") == "ben\nFront desk"
    # While the panel is open, presence, QR codes and keypad keys do not move the patient flow.
    route_device_event(flow, entry, PresenceChanged(True, "io_board"))
    route_device_event(flow, entry, QrDecoded(VISITORS["on_time"].code))
    route_device_event(flow, entry, KeyPressed("select"), staff.ui.flow_model)
    route_device_event(flow, entry, KeyPressed("vol_up"), staff.ui.flow_model)
    assert staff.ui.flow.view.screen == "attract" and staff.visible("screen_admin_providers")
    assert staff.ui.flow.view.volume == 0


# --- what the hub says ----------------------------------------------------------------


def test_a_rejected_request_shows_the_hubs_reason_and_an_applied_one_its_kiosks(
    staff: Staff, day: SampleDay, qtbot: QtBot
) -> None:
    staff.sign_in("ana")
    for provider, preset in (("chen", "preset_15"), ("okafor", "preset_45")):
        staff.tap(f"late_{provider}")
        staff.tap(preset)
        staff.tap("reviewButton")
        staff.tap("sendButton")
        staff.tap("tab_providers")
    chen, okafor = sent(day, m.StatusChangeRequest)
    from_sync_thread(
        staff.ui,
        SyncChange(
            "result", "okafor", result=m.RequestResult(okafor.key, "lobby-1", False, "ana is not on staff")
        ),
    )
    receipt = sm.DisplayReceipt("chen", 4, ["lobby-1", "lobby-2"], ["lobby-3"])
    from_sync_thread(staff.ui, SyncChange("staff", "chen", message=receipt))  # before its result
    result = m.RequestResult(chen.key, "lobby-1", True, "", "chen", 4)
    from_sync_thread(staff.ui, SyncChange("result", "chen", 4, result=result))
    staff.tap("tab_requests")
    qtbot.waitUntil(lambda: staff.text("requestStatus_0") == "Rejected by the hub: ana is not on staff")
    assert staff.text("requestStatus_1") == "Applied by the hub"
    assert staff.text("requestDisplayed_1") == "Shown on: lobby-1, lobby-2"
    assert staff.text("requestWaiting_1") == "Not yet shown on: lobby-3"


def test_supervisors_acknowledge_notices_front_desk_only_sees_them(
    staff: Staff, day: SampleDay, qtbot: QtBot
) -> None:
    notice = sm.SupervisorNotice(
        "n-1", "2026-11-30T09:01:00", "martinez", 2, "Dr. Ana Martinez out today: ..."
    )
    staff.sign_in("ben")
    from_sync_thread(staff.ui, SyncChange("staff", "martinez", message=notice))
    qtbot.waitUntil(lambda: staff.text("tab_notices") == "Notices (1)")
    staff.tap("tab_notices")
    assert staff.visible("noticeSummary_n-1") and not staff.visible("ack_n-1")
    staff.tap("signOutButton")
    staff.sign_in("ana")
    staff.tap("tab_notices")
    staff.tap("ack_n-1")
    [ack] = sent(day, sm.NoticeAck)
    assert (ack.notice_id, ack.by) == ("n-1", "ana")
    acked = sm.SupervisorNotice(**{**notice.__dict__, "acked_by": "ana"})
    from_sync_thread(staff.ui, SyncChange("staff", "martinez", message=acked))
    qtbot.waitUntil(lambda: staff.visible("noNotices"))
    assert staff.text("tab_notices") == "Notices"


# --- the log tail ---------------------------------------------------------------------------


def test_the_log_tail_keeps_the_last_lines_of_the_projects_loggers() -> None:
    tail = LogTail(size=3)
    logger = logging.getLogger("kiosk.test_tail")
    logger.addHandler(tail)
    try:
        for i in range(5):
            logger.warning("line %d", i, extra={"kiosk": "lobby-1"})
        tail.handle(logging.makeLogRecord({"name": "paho.mqtt", "msg": "noise", "levelno": 30}))
    finally:
        logger.removeHandler(tail)
    lines = tail.lines()
    assert len(lines) == 3 and '"msg": "line 4"' in lines[-1]
    assert compact_line(lines[-1]).endswith("WARNING kiosk.test_tail: line 4 kiosk=lobby-1")
    assert compact_line("not json") == "not json"
