"""The staff panel's impact sentence on the real sample morning (offscreen QML): what a
supervisor confirms is counted from the kiosk's own cache, and counts again as it changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from core.clock import ManualClock
from devtools.ui_sample import sample_staff
from domain.admin import AdminSession
from domain.admin_backend import AdminBackend
from domain.flow import CheckInFlow
from hub.sample import sample_morning
from sync import messages as m
from sync import staff_messages as sm
from sync.cache import KioskCache
from tests.ui.conftest import Staff
from ui.app import KioskUi, UiOptions

# What the admin session emits (domain.admin.Emit), as the morning fixture records it.
Emitted = m.StatusChangeRequest | sm.StaffEvent | sm.NoticeAck
Morning = tuple[KioskUi, KioskCache, list[Emitted]]


@pytest.fixture
def morning(qapp: QGuiApplication, tmp_path: Path) -> Iterator[Morning]:
    day = date(2026, 11, 30)
    plan = sample_morning(day)
    cache = KioskCache.open(tmp_path / "kiosk.sqlite")
    for pid, name in plan.providers.items():
        appts = [a.to_wire() for a in plan.appointments if a.provider_id == pid]
        cache.apply_schedule(m.ProviderSchedule(pid, name, plan.date, 1, appts), "2026-11-30T06:00:00")
    clock = ManualClock(datetime(2026, 11, 30, 7, 43))
    out: list[Emitted] = []
    staff = sample_staff()
    backend = AdminBackend(
        AdminSession(staff, "lobby-1", clock, out.append),
        clock,
        lambda: (cache.providers(), cache.statuses()),
        cache.appointments_for,
    )
    flow = CheckInFlow(cache, lambda _c: True, clock, "lobby-1")
    ui = KioskUi(flow, backend.board, lambda: 0.0, UiOptions(tick_ms=0), admin=backend)
    ui.show()
    yield ui, cache, out
    ui.close()
    cache.close()


def test_the_confirmation_counts_the_real_morning(morning: Morning, qapp: QGuiApplication) -> None:
    ui, cache, _out = morning
    staff = Staff(ui, qapp)
    staff.sign_in("ana")
    staff.tap("out_martinez")
    staff.tap("reason_emergency")
    staff.tap("reviewButton")
    assert staff.text("impactSentence") == (
        "Dr. Ana Martinez out today: 14 appointments affected, 0 patients already checked in, "
        "3 on their way (arrival window open)"
    )
    proposal = ui.admin_model.panel.proposal
    assert proposal is not None
    assert staff.text("impactSentence") == proposal.sentence  # the core's words
    cache.mark_checked_in(cache.appointments_for("martinez")[0].id)
    staff.tap("confirmBackButton")
    staff.tap("reviewButton")
    assert "14 appointments affected, 1 patient already checked in" in staff.text("impactSentence")
