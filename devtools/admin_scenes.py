"""The staff panel's screens as named scenes (``make screenshots``, the layout test).

Each scene opens the panel the way staff do (the hidden corner resets the patient flow
first), picks the member, signs in with a sample PIN and touches through the view model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from config.settings import StaffSettings
from devtools.ui_sample import STAFF_PINS, SampleDay
from domain.staff import provision_member
from sync import messages as m
from sync import staff_messages as sm
from sync.kiosk_sync import SyncChange
from ui.app import KioskUi

Scene = Callable[[SampleDay, KioskUi], None]


def sign_in(ui: KioskUi, who: str) -> None:
    ui.open_admin()
    ui.admin_model.pick(who)
    for key in STAFF_PINS[who][1]:
        ui.admin_model.press(key)
    ui.admin_model.submitPin()
    ui.admin_model.wait_checked()


def _signed_in(who: str, then: Callable[[KioskUi], None] = lambda _ui: None) -> Scene:
    def scene(_day: SampleDay, ui: KioskUi) -> None:
        sign_in(ui, who)
        then(ui)

    return scene


def _who(_day: SampleDay, ui: KioskUi) -> None:
    ui.open_admin()


def _who_many(day: SampleDay, ui: KioskUi) -> None:
    """A practice's real staff list: 60 names to pick from (the list scrolls)."""
    roles = ("front_desk", "front_desk", "supervisor", "technician")
    members = {
        f"staff-{i:02d}": provision_member(
            "acme", f"staff-{i:02d}", roles[i % 4], f"{500000 + 37 * i}", n=2**4
        )[0]
        for i in range(60)
    }
    ui.admin_model.use_session(day.admin(StaffSettings(members=members)))
    ui.open_admin()


def _pin(_day: SampleDay, ui: KioskUi) -> None:
    ui.open_admin()
    ui.admin_model.pick("ben")
    for key in "12":
        ui.admin_model.press(key)


def _pin_wrong(_day: SampleDay, ui: KioskUi) -> None:
    ui.open_admin()
    ui.admin_model.pick("ben")
    for key in "0000":
        ui.admin_model.press(key)
    ui.admin_model.submitPin()
    ui.admin_model.wait_checked()


def _locked(day: SampleDay, ui: KioskUi) -> None:
    for _ in range(5):
        _pin_wrong(day, ui)
    day.clock.advance(17)
    ui.tick()


def _late(ui: KioskUi) -> None:
    ui.admin_model.choose("chen", "late")
    ui.admin_model.setLate(20)


def _out(ui: KioskUi) -> None:
    ui.admin_model.choose("martinez", "out")
    ui.admin_model.setReason("sick")


def _leaving(ui: KioskUi) -> None:
    ui.admin_model.choose("patel", "leaving_early")
    ui.admin_model.adjustLeaving(-15)


def _review(prepare: Callable[[KioskUi], None]) -> Callable[[KioskUi], None]:
    def then(ui: KioskUi) -> None:
        prepare(ui)
        ui.admin_model.review()

    return then


def _approver(ui: KioskUi) -> None:
    _review(_out)(ui)
    ui.admin_model.send()


def _approve(ui: KioskUi) -> None:
    _approver(ui)
    ui.admin_model.pick("ana")
    for key in "48":
        ui.admin_model.press(key)


def _requests(day: SampleDay, ui: KioskUi) -> None:
    sign_in(ui, "ana")
    for prepare in (_late, _out, _leaving):
        _review(prepare)(ui)
        ui.admin_model.send()
    chen, martinez, _patel = [r for r in day.staff_sent if isinstance(r, m.StatusChangeRequest)]
    model = ui.admin_model
    model.apply_change(
        SyncChange("result", "chen", 7, result=m.RequestResult(chen.key, "lobby-1", True, "", "chen", 7))
    )
    receipt = sm.DisplayReceipt("chen", 7, ["lobby-1", "lobby-2"], ["lobby-3"])
    model.apply_change(SyncChange("staff", "chen", message=receipt))
    refused = m.RequestResult(
        martinez.key, "lobby-1", False, "the schedule for today has not been published", "martinez"
    )
    model.apply_change(SyncChange("result", "martinez", result=refused))


def _notices(who: str) -> Scene:
    def scene(day: SampleDay, ui: KioskUi) -> None:
        sign_in(ui, who)
        at = day.clock.now()
        for i, (pid, summary) in enumerate(
            [
                (
                    "martinez",
                    "Dr. Ana Martinez out today: 14 appointments affected, 3 patients already "
                    "checked in, 2 on their way (arrival window open)",
                ),
                (
                    "okafor",
                    "Dr. Ngozi Okafor running 20 minutes late: 6 appointments affected, 1 patients "
                    "already checked in, 2 on their way (arrival window open)",
                ),
            ]
        ):
            when = (at - timedelta(minutes=9 - 5 * i)).isoformat()
            notice = sm.SupervisorNotice(f"n-{pid}-1", when, pid, 1, summary, changed_by="ben")
            ui.admin_model.apply_change(SyncChange("staff", pid, message=notice))
        ui.admin_model.show("notices")

    return scene


ADMIN_SCENES: dict[str, Scene] = {
    "admin_who": _who,
    "admin_who_many": _who_many,
    "admin_pin": _pin,
    "admin_pin_wrong": _pin_wrong,
    "admin_locked": _locked,
    "admin_providers": _signed_in("ben"),
    "admin_late": _signed_in("ben", _late),
    "admin_out": _signed_in("ben", _out),
    "admin_leaving": _signed_in("ben", _leaving),
    "admin_confirm": _signed_in("ben", _review(_late)),
    "admin_confirm_approval": _signed_in("ben", _review(_out)),
    "admin_approver": _signed_in("ben", _approver),
    "admin_approve": _signed_in("ben", _approve),
    "admin_requests": _requests,
    "admin_notices": _notices("ana"),
    "admin_notices_front_desk": _notices("ben"),
    "admin_tech": _signed_in("tom"),
}
