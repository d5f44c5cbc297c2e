"""Staff who use the kiosk in Spanish read the hub's words in Spanish too: a refused
change's reason and a supervisor notice, as the real hub writes them."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from devtools.ui_sample import SampleDay
from domain.impact import Impact, impact_sentence
from sync import messages as m
from sync import staff_messages as sm
from sync.kiosk_sync import SyncChange
from tests.ui.conftest import Staff
from tests.ui.test_admin_panel import from_sync_thread, sent, staff, staff_kiosk  # noqa: F401 - fixtures


def test_a_refusal_and_a_notice_read_in_spanish(staff: Staff, day: SampleDay, qtbot: QtBot) -> None:  # noqa: F811
    staff.ui.flow.set_language("es")
    staff.sign_in("ana")
    staff.tap("late_chen")
    staff.tap("preset_45")
    staff.tap("reviewButton")
    staff.tap("sendButton")
    [request] = sent(day, m.StatusChangeRequest)
    refusal = "front desk may set up to 30 minutes late; ask a supervisor"
    result = m.RequestResult(request.key, "lobby-1", False, refusal)
    from_sync_thread(staff.ui, SyncChange("result", "chen", result=result))
    staff.tap("tab_requests")
    qtbot.waitUntil(lambda: "pídalo a un supervisor" in staff.text("requestStatus_0"))
    assert "ask a supervisor" not in staff.text("requestStatus_0")

    summary = impact_sentence("Dr. Ana Martinez", "out", Impact(14, 3, 2))
    notice = sm.SupervisorNotice("n-1", "2026-11-30T09:01:00", "martinez", 2, summary)
    from_sync_thread(staff.ui, SyncChange("staff", "martinez", message=notice))
    staff.tap("tab_notices")
    qtbot.waitUntil(lambda: staff.visible("noticeSummary_n-1"))
    shown = staff.text("noticeSummary_n-1")
    assert "ausente hoy: 14 citas afectadas, 3 pacientes ya registrados, 2 en camino" in shown
