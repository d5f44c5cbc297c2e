"""Over a real broker: a supervisor marks a provider out on kiosk A's staff panel; kiosk B
shows it, the hub applies it, and A's panel lists both kiosks as displaying the change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from config.settings import StaffSettings
from core.clock import SystemClock
from devtools.ui_sample import sample_hub_staff, sample_staff
from domain.admin import AdminSession
from domain.admin_backend import AdminBackend, SyncStatus
from domain.flow import CheckInFlow
from hub.service import HubService
from sync import messages as m
from sync.cache import KioskCache, Provider
from sync.kiosk_sync import KioskSync, cache_age_from_meta
from tests.support.broker import Broker
from tests.support.site import morning_from_now, not_over, site_settings, start_hub, wait_for
from tests.ui.conftest import Staff
from ui.app import KioskUi, UiOptions

STAFF: StaffSettings = sample_staff(display_deadline_s=5)
HUB_STAFF: StaffSettings = sample_hub_staff(display_deadline_s=5)


class LobbyKiosk:
    """A kiosk's sync loop, its own cache connection on the Qt thread, and its touch UI."""

    def __init__(self, broker: Broker, state_dir: Path, kiosk_id: str) -> None:
        self.settings = site_settings(broker.settings(), state_dir / kiosk_id, kiosk_id, STAFF)
        self.sync = KioskSync(self.settings)
        self.cache: KioskCache | None = None
        self.ui: KioskUi | None = None

    def start(self) -> LobbyKiosk:
        self.sync.start()
        wait_for(lambda: self.sync.call(lambda c: len(c.appointments_for("martinez"))) >= 12, what="schedule")
        cache = self.cache = KioskCache.open(self.sync.cache_path)
        clock = SystemClock()

        def board() -> tuple[list[Provider], dict[str, m.ProviderStatus]]:
            return cache.providers(), cache.statuses()

        def sync_status() -> SyncStatus:
            return SyncStatus(self.sync.link.connected, self.sync.is_live(), 0.0, 0)

        backend = AdminBackend(
            AdminSession(STAFF, self.settings.kiosk.id, clock, self.sync.submit),
            clock,
            board,
            cache.appointments_for,
            sync_status=sync_status,
        )
        flow = CheckInFlow(cache, self.sync.submit, clock, self.settings.kiosk.id)
        self.ui = KioskUi(
            flow, board, lambda: cache_age_from_meta(cache, clock), UiOptions(tick_ms=0), admin=backend
        )
        self.sync.add_listener(self.ui.board_model.on_sync_change)
        self.sync.add_listener(self.ui.admin_model.on_sync_change)
        self.ui.show()
        return self

    def stop(self) -> None:
        if self.ui is not None:
            self.ui.close()
        if self.cache is not None:
            self.cache.close()
        self.sync.stop()


@pytest.fixture
def lobby(
    broker: Broker, tmp_path: Path, qapp: QGuiApplication
) -> Iterator[tuple[HubService, LobbyKiosk, LobbyKiosk]]:
    hub = start_hub(broker.settings(), tmp_path, staff=HUB_STAFF, morning_starts=morning_from_now())
    a = LobbyKiosk(broker, tmp_path, "lobby-a")
    b = LobbyKiosk(broker, tmp_path, "lobby-b")
    try:
        a.start()
        b.start()
        yield hub, a, b
    finally:
        a.stop()
        b.stop()
        hub.stop()


def test_out_today_on_kiosk_a_is_displayed_on_kiosk_b_and_the_panel_says_so(
    lobby: tuple[HubService, LobbyKiosk, LobbyKiosk], qapp: QGuiApplication, qtbot: QtBot
) -> None:
    hub, a, b = lobby
    assert a.ui is not None and b.ui is not None
    staff = Staff(a.ui, qapp)
    staff.sign_in("ana")
    staff.tap("out_martinez")
    staff.tap("reason_sick")
    staff.tap("reviewButton")
    proposal = a.ui.admin_model.panel.proposal
    assert proposal is not None, f"no proposal to review on the {staff.page} page"
    impact = proposal.impact
    assert impact.affected == not_over(a.ui.admin_model.panel.backend.appointments("martinez"))
    assert impact.affected >= 5 and f"{impact.affected} appointments affected" in staff.text("impactSentence")
    staff.tap("sendButton")
    assert staff.text("requestStatus_0") in ("Waiting for the hub", "Applied by the hub")

    # Kiosk B's board shows it; the hub applied it; both kiosks confirmed displaying it.
    board_b = b.ui.board_model
    qtbot.waitUntil(
        lambda: any(r.provider_id == "martinez" and r.state == "out" for r in board_b.rows),
        timeout=15000,
    )
    qtbot.waitUntil(lambda: staff.text("requestStatus_0") == "Applied by the hub", timeout=15000)
    qtbot.waitUntil(lambda: staff.text("requestDisplayed_0") == "Shown on: lobby-a, lobby-b", timeout=15000)
    assert not staff.visible("requestWaiting_0")
    status = hub.call(lambda s: s.status("martinez"))
    assert (status.state, status.reason, status.changed_by) == ("out", "sick", "ana")
    # The supervisor notice reaches the panel; ana acknowledges it there.
    qtbot.waitUntil(lambda: staff.text("tab_notices") == "Notices (1)", timeout=15000)
    staff.tap("tab_notices")
    notice_id = next(iter(a.ui.admin_model.panel.session.notices))
    staff.tap(f"ack_{notice_id}")
    qtbot.waitUntil(lambda: staff.visible("noNotices"), timeout=15000)
