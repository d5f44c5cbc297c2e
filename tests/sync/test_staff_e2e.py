"""The staff story over a real broker: a change made on kiosk A shows on kiosk B and the
hub knows; offline requests apply once; escalations fire; the audit trail holds."""

from __future__ import annotations

import io
import sqlite3
from contextlib import redirect_stdout
from datetime import datetime
from pathlib import Path

import pytest

from config.settings import StaffSettings
from core.clock import SystemClock
from domain.admin import AdminSession
from domain.staff import hash_secret
from hub.audit import AuditLog
from kiosk.cli import main
from sync import messages as m
from sync import staff_messages as sm
from sync.kiosk_sync import SyncChange
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.broker import Broker, publish_raw
from tests.support.site import RecordingKiosk, morning_from_now, not_over, site_settings, start_hub, wait_for

TREE = TopicTree("acme", "main")
STAFF = StaffSettings(
    members={
        "ana": f"supervisor:{hash_secret('482913', n=2**4)}",
        "ben": f"front_desk:{hash_secret('1234', n=2**4)}",
    },
    display_deadline_s=1,
)


class StaffKiosk(RecordingKiosk):
    """A kiosk with an admin panel whose actions go through its outbox."""

    def __init__(self, broker: Broker, tmp_path: Path, kiosk_id: str) -> None:
        super().__init__(broker.settings(), tmp_path, kiosk_id)
        self.sync.settings = site_settings(broker.settings(), tmp_path / kiosk_id, kiosk_id, STAFF)
        self.panel = AdminSession(STAFF, kiosk_id, SystemClock(), self.sync.submit)
        self.sync.add_listener(self._on_change)

    def _on_change(self, change: SyncChange) -> None:
        if change.result is not None:
            self.panel.on_result(change.result)
        if isinstance(change.message, sm.DisplayReceipt):
            self.panel.on_receipt(change.message)
        if isinstance(change.message, sm.SupervisorNotice):
            self.panel.on_notice(change.message)

    def day(self, provider: str) -> list[m.Appointment]:
        return self.sync.call(lambda c: c.appointments_for(provider))


@pytest.fixture
def site(broker: Broker, tmp_path: Path):
    hub = start_hub(broker.settings(), tmp_path, staff=STAFF, morning_starts=morning_from_now())
    a = StaffKiosk(broker, tmp_path, "lobby-a").start()
    b = StaffKiosk(broker, tmp_path, "lobby-b").start()
    wait_for(lambda: a.appointments() == 27 and b.appointments() == 27, what="schedules")
    yield hub, a, b
    a.stop()
    b.stop()
    hub.stop()


def test_a_change_on_kiosk_a_is_displayed_on_b_and_confirmed_to_the_hub(site, tmp_path: Path) -> None:
    hub, a, b = site
    assert a.panel.login_pin("482913") == "ok"
    proposal = a.panel.propose("martinez", "Dr. Ana Martinez", "out", a.day("martinez"), reason="sick")
    assert proposal.allowed and proposal.impact.affected == not_over(a.day("martinez"))
    assert proposal.impact.affected >= 5 and proposal.impact.on_their_way >= 1
    assert f"{proposal.impact.affected} appointments affected" in proposal.sentence
    pending = a.panel.confirm(proposal)
    wait_for(lambda: (s := b.status("martinez")) is not None and s.state == "out", what="kiosk B shows out")
    wait_for(lambda: pending.status == "applied", what="kiosk A sees the hub apply it")
    wait_for(lambda: sorted(pending.displayed_by) == ["lobby-a", "lobby-b"], what="both kiosks confirmed")
    assert pending.waiting_for == []
    wait_for(lambda: len(a.panel.notices) == 1, what="the supervisor notice")
    notice = next(iter(a.panel.notices.values()))
    assert notice.summary.startswith(
        f"Dr. Ana Martinez out today: {proposal.impact.affected} appointments affected"
    )
    assert a.panel.ack_notice(notice.id)
    wait_for(lambda: a.panel.notices == {}, what="the notice acknowledged")
    ok, summary = hub.call(lambda s: AuditLog(s.db).verify())
    actions = [r.action for r in hub.call(lambda s: AuditLog(s.db).records())]
    assert ok, summary
    assert {"login", "status_change", "notice_ack"} <= set(actions)


def test_a_rejected_request_comes_back_with_its_reason(site) -> None:
    _hub, a, _b = site
    a.panel.login_pin("1234")
    proposal = a.panel.propose("chen", "Dr. Wei Chen", "late", a.day("chen"), delay_min=20)
    pending = a.panel.confirm(proposal)
    wait_for(lambda: pending.status == "applied", what="front desk may set 20 min late")
    # A forged request (a role the sender does not have) is refused by the hub, the authority.
    forged = m.StatusChangeRequest(
        "forged-0001", "lobby-a", "chen", "out", "ben", "2026-11-30T07:50", role="supervisor"
    )
    a.panel.pending[forged.key] = type(pending)(forged.key, "chen", "out")
    a.sync.submit(forged)
    wait_for(lambda: a.panel.pending[forged.key].status == "rejected", what="rejection")
    assert a.panel.pending[forged.key].reason == "ben is front_desk, not supervisor"


def test_an_offline_request_applies_once_after_reconnect(broker: Broker, site) -> None:
    hub, a, _b = site
    a.panel.login_pin("482913")
    broker.stop()
    wait_for(lambda: not a.sync.link.connected, what="offline")
    pending = a.panel.confirm(a.panel.propose("patel", "Dr. Raj Patel", "late", a.day("patel"), delay_min=15))
    assert pending.status == "pending" and a.outbox_depth() >= 1
    broker.start()
    wait_for(lambda: pending.status == "applied", timeout=30, what="applied after reconnect")
    wait_for(lambda: a.outbox_depth() == 0, what="outbox drained")
    status = hub.call(lambda s: s.status("patel"))
    assert status.version == 1 and status.delay_min == 15  # applied exactly once


def test_escalation_when_a_kiosk_never_shows_the_change_then_resolution(
    broker: Broker, site, tmp_path: Path
) -> None:
    hub, a, _b = site
    ghost = encode(m.KioskAvailability("lobby-9", True, "0.1.0", datetime.now().isoformat()))
    publish_raw(broker, TREE.availability("lobby-9"), ghost, retain=True, client_id="lobby-9")
    a.panel.login_pin("482913")
    a.panel.confirm(a.panel.propose("okafor", "Dr. Ngozi Okafor", "late", a.day("okafor"), delay_min=10))
    wait_for(
        lambda: any(e["id"] == "display-okafor-v1" for e in hub.call(lambda s: hub.desk.escalations())),
        what="the display escalation",
    )
    esc = next(e for e in hub.call(lambda s: hub.desk.escalations()) if e["id"] == "display-okafor-v1")
    assert "lobby-9" in esc["detail"] and "lobby-a" not in esc["detail"]
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\npractice = "acme"\nsite = "main"\n[hub]\nstate_dir = "{tmp_path / "hub"}"\n')
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--config", str(config), "hub", "escalations"]) == 0
    assert "display-okafor-v1" in out.getvalue()
    offline = encode(m.KioskAvailability("lobby-9", False))
    publish_raw(broker, TREE.availability("lobby-9"), offline, retain=True)
    wait_for(
        lambda: not any(e["id"] == "display-okafor-v1" for e in hub.call(lambda s: hub.desk.escalations())),
        what="resolution once the kiosk is offline",
    )


def test_a_lockout_raises_an_alert_at_the_hub(site) -> None:
    hub, a, _b = site
    for _ in range(5):
        a.panel.login_pin("0000")
    wait_for(
        lambda: any(e["about"] == "lockout" for e in hub.call(lambda s: hub.desk.escalations())),
        what="lockout alert",
    )


def test_audit_verification_fails_after_a_record_is_altered(site, tmp_path: Path) -> None:
    hub, a, _b = site
    a.panel.login_pin("482913")
    a.panel.confirm(a.panel.propose("chen", "Dr. Wei Chen", "late", a.day("chen"), delay_min=5))
    wait_for(lambda: len(hub.call(lambda s: AuditLog(s.db).records())) >= 2, what="audit records")
    hub.stop()
    db_path = tmp_path / "hub" / "hub.sqlite"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[hub]\nstate_dir = "{db_path.parent}"\n')
    assert _cli(config, "hub", "audit", "verify")[0] == 0
    assert _cli(config, "hub", "audit", "export", str(tmp_path / "audit.csv"))[0] == 0
    assert (tmp_path / "audit.csv").read_text().count("\n") >= 3
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    conn.execute("DROP TRIGGER audit_no_update")  # someone with the file in hand
    conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    conn.commit()
    conn.close()
    code, out = _cli(config, "hub", "audit", "verify")
    assert code == 1 and "record 2 was altered" in out


def _cli(config: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--config", str(config), *args])
    return code, out.getvalue()
