"""The staff story over a real broker: a change made on kiosk A shows on kiosk B and the
hub knows; offline requests apply once; escalations fire; the audit trail holds; a request
a kiosk makes up (no PIN, a wrong PIN's proof, a replayed proof, an altered field) is
refused with its reason and audited."""

from __future__ import annotations

import dataclasses
import io
import json
import uuid
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.clock import SystemClock
from domain.admin import AdminSession, Pending
from hub.audit import AuditLog
from hub.service import HubService
from kiosk.cli import main
from sync import cipher
from sync import messages as m
from sync import staff_messages as sm
from sync.kiosk_sync import SyncChange
from sync.topics import TopicTree
from sync.vault import STORE_KEY_NAME, default_key_source
from sync.wire import encode
from tests.support.broker import Broker, publish_raw, retained_raw
from tests.support.clock import wall_now
from tests.support.site import (
    RecordingKiosk,
    morning_from_now,
    not_over,
    site_settings,
    start_hub,
    status_request,
    wait_for,
)
from tests.support.staff import PINS, proof_key, signed, staff_pair

TREE = TopicTree("acme", "main")
STAFF, HUB_STAFF = staff_pair({w: PINS[w] for w in ("ana", "ben")}, {}, display_deadline_s=1)
Site = tuple[HubService, "StaffKiosk", "StaffKiosk"]  # the hub, kiosk A, kiosk B


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
def site(broker: Broker, tmp_path: Path) -> Iterator[Site]:
    hub = start_hub(broker.settings(), tmp_path, staff=HUB_STAFF, morning_starts=morning_from_now())
    a = StaffKiosk(broker, tmp_path, "lobby-a")
    a.start()
    b = StaffKiosk(broker, tmp_path, "lobby-b")
    b.start()
    wait_for(lambda: a.appointments() == 27 and b.appointments() == 27, what="schedules")
    yield hub, a, b
    a.stop()
    b.stop()
    hub.stop()


def test_a_change_on_kiosk_a_is_displayed_on_b_and_confirmed_to_the_hub(site: Site, tmp_path: Path) -> None:
    hub, a, b = site
    assert a.panel.login_pin("ana", "482913") == "ok"
    proposal = a.panel.propose("martinez", "Dr. Ana Martinez", "out", a.day("martinez"), reason="sick")
    assert proposal.allowed and proposal.impact.affected == not_over(a.day("martinez"))
    assert proposal.impact.affected >= 5 and proposal.impact.on_their_way >= 1
    assert f"{proposal.impact.affected} appointments affected" in proposal.sentence
    pending = a.panel.confirm(proposal)
    assert pending is not None
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


def test_a_rejected_request_comes_back_with_its_reason(site: Site) -> None:
    _hub, a, _b = site
    a.panel.login_pin("ben", "1234")
    proposal = a.panel.propose("chen", "Dr. Wei Chen", "late", a.day("chen"), delay_min=20)
    pending = a.panel.confirm(proposal)
    assert pending is not None
    wait_for(lambda: pending.status == "applied", what="front desk may set 20 min late")
    # A forged request (a role the sender does not have) is refused by the hub, the authority.
    forged = m.StatusChangeRequest(
        "forged-0001", "lobby-a", "chen", "out", "ben", "2026-11-30T07:50", role="supervisor"
    )
    a.panel.pending[forged.key] = type(pending)(forged.key, "chen", "out")
    a.sync.submit(forged)
    wait_for(lambda: a.panel.pending[forged.key].status == "rejected", what="rejection")
    assert a.panel.pending[forged.key].reason == "ben is front_desk, not supervisor"


def test_an_offline_request_applies_once_after_reconnect(broker: Broker, site: Site) -> None:
    hub, a, _b = site
    a.panel.login_pin("ana", "482913")
    broker.stop()
    wait_for(lambda: not a.sync.link.connected, what="offline")
    pending = a.panel.confirm(a.panel.propose("patel", "Dr. Raj Patel", "late", a.day("patel"), delay_min=15))
    assert pending is not None
    assert pending.status == "pending" and a.outbox_depth() >= 1
    broker.start()
    wait_for(lambda: pending.status == "applied", timeout=30, what="applied after reconnect")
    wait_for(lambda: a.outbox_depth() == 0, what="outbox drained")
    status = hub.call(lambda s: s.status("patel"))
    assert status.version == 1 and status.delay_min == 15  # applied exactly once


def test_an_approved_change_queued_offline_applies_with_both_proofs(broker: Broker, site: Site) -> None:
    hub, a, b = site
    a.panel.login_pin("ben", "1234")
    broker.stop()
    wait_for(lambda: not a.sync.link.connected, what="offline")
    proposal = a.panel.propose("martinez", "Dr. Ana Martinez", "out", a.day("martinez"), reason="sick")
    assert proposal.needs_approval and a.panel.confirm(proposal) is None
    assert a.panel.approve("ana", "482913")  # checked on the kiosk: no hub needed
    pending = a.panel.confirm(proposal)
    assert pending is not None
    assert pending is not None and pending.status == "pending"
    broker.start()
    wait_for(lambda: pending.status == "applied", timeout=30, what="applied after reconnect")
    wait_for(lambda: (s := b.status("martinez")) is not None and s.state == "out", what="kiosk B shows out")
    change = next(r for r in hub.call(lambda s: AuditLog(s.db).records()) if r.action == "status_change")
    assert (change.actor, json.loads(change.detail)["approved_by"]) == ("ben", "ana")


def test_escalation_when_a_kiosk_never_shows_the_change_then_resolution(
    broker: Broker, site: Site, tmp_path: Path
) -> None:
    hub, a, _b = site
    desk = hub.desk
    assert desk is not None  # the fixture waited for the running hub's schedules
    ghost = encode(m.KioskAvailability("lobby-9", True, "0.1.0", wall_now().isoformat()))
    publish_raw(broker, TREE.availability("lobby-9"), ghost, retain=True, client_id="lobby-9")
    a.panel.login_pin("ana", "482913")
    a.panel.confirm(a.panel.propose("okafor", "Dr. Ngozi Okafor", "late", a.day("okafor"), delay_min=10))
    wait_for(
        lambda: any(e["id"] == "display-okafor-v1" for e in hub.call(lambda s: desk.escalations())),
        what="the display escalation",
    )
    esc = next(e for e in hub.call(lambda s: desk.escalations()) if e["id"] == "display-okafor-v1")
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
        lambda: not any(e["id"] == "display-okafor-v1" for e in hub.call(lambda s: desk.escalations())),
        what="resolution once the kiosk is offline",
    )


def test_a_lockout_raises_an_alert_at_the_hub(site: Site) -> None:
    hub, a, _b = site
    desk = hub.desk
    assert desk is not None  # the fixture waited for the running hub's schedules
    for _ in range(5):
        a.panel.login_pin("ana", "0000")
    wait_for(
        lambda: any(e["about"] == "lockout" for e in hub.call(lambda s: desk.escalations())),
        what="lockout alert",
    )


def test_audit_verification_fails_after_a_record_is_altered(site: Site, tmp_path: Path) -> None:
    hub, a, _b = site
    a.panel.login_pin("ana", "482913")
    a.panel.confirm(a.panel.propose("chen", "Dr. Wei Chen", "late", a.day("chen"), delay_min=5))
    wait_for(lambda: len(hub.call(lambda s: AuditLog(s.db).records())) >= 2, what="audit records")
    hub.stop()
    db_path = tmp_path / "hub" / "hub.sqlite"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[hub]\nstate_dir = "{db_path.parent}"\n')
    assert _cli(config, "hub", "audit", "verify")[0] == 0
    assert _cli(config, "hub", "audit", "export", str(tmp_path / "audit.csv"))[0] == 0
    assert (tmp_path / "audit.csv").read_text().count("\n") >= 3
    conn = cipher.connect(db_path, default_key_source(db_path, STORE_KEY_NAME).load())
    with pytest.raises(cipher.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    conn.execute("DROP TRIGGER audit_no_update")  # someone with the file and its key in hand
    conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    conn.commit()
    conn.close()
    code, out = _cli(config, "hub", "audit", "verify")
    assert code == 1 and "record 2 was altered" in out


def _forged(a: StaffKiosk, req: m.StatusChangeRequest) -> str:
    """Sent through kiosk A's own outbox and credential, as a rogue kiosk would: the reason."""
    pending = Pending(req.key, req.provider_id, req.state)
    a.panel.pending[req.key] = pending
    a.sync.submit(req)
    wait_for(lambda: pending.status != "pending", what=f"the hub's answer to {req.key}")
    assert pending.status == "rejected"
    return pending.reason


def _request(**kw: object) -> m.StatusChangeRequest:
    fields: dict[str, object] = {
        "key": uuid.uuid4().hex,
        "kiosk_id": "lobby-a",
        "provider_id": "martinez",
        "state": "out",
        "requested_by": "ana",
        "requested_at": wall_now().isoformat(timespec="seconds"),
        "role": "supervisor",
        "reason": "forged",
        **kw,
    }
    return m.StatusChangeRequest(**fields)  # type: ignore[arg-type]


def test_forged_requests_are_refused_with_a_reason_and_audited(site: Site) -> None:
    hub, a, b = site
    a.panel.login_pin("ben", "1234")
    real = a.panel.confirm(a.panel.propose("chen", "Dr. Wei Chen", "late", a.day("chen"), delay_min=10))
    assert real is not None
    wait_for(lambda: real.status == "applied", what="the real request applied")
    good = signed(_request(state="late", delay_min=5, provider_id="chen"), proof_key("ana"))
    old = (wall_now() - timedelta(hours=13)).isoformat(timespec="seconds")
    reasons = {
        "no PIN": _forged(a, _request()),
        "wrong PIN": _forged(a, signed(_request(), proof_key("ana", "111111"))),
        "replayed proof": _forged(a, replace(good, key=uuid.uuid4().hex)),
        "altered field": _forged(a, replace(good, delay_min=50)),
        "stale": _forged(a, signed(_request(requested_at=old), proof_key("ana"))),
        "unapproved": _forged(
            a, signed(_request(requested_by="ben", role="front_desk", approved_by="ana"), proof_key("ben"))
        ),
    }
    assert reasons == {
        "no PIN": "no staff proof from ana (PIN or badge) with the request",
        "wrong PIN": "the staff proof for ana does not match the request",
        "replayed proof": "the staff proof for ana does not match the request",
        "altered field": "the staff proof for ana does not match the request",
        "stale": "the request is older than 12 h; make it again",
        "unapproved": "the supervisor's approval: no staff proof from ana (PIN or badge) with the request",
    }
    never = hub.call(lambda s: s.status("martinez"))
    assert b.status("martinez") is None and (never is None or never.version == 0)  # nothing applied
    refused = [r for r in hub.call(lambda s: AuditLog(s.db).records()) if r.action == "status_rejected"]
    assert sorted(json.loads(r.detail)["reason"] for r in refused) == sorted(reasons.values())


def test_a_replayed_request_changes_nothing_and_is_audited(broker: Broker, site: Site) -> None:
    hub, a, _b = site
    a.panel.login_pin("ana", "482913")
    first = a.panel.confirm(a.panel.propose("chen", "Dr. Wei Chen", "late", a.day("chen"), delay_min=10))
    assert first is not None
    wait_for(lambda: first.status == "applied", what="the first change")
    second = a.panel.confirm(a.panel.propose("chen", "Dr. Wei Chen", "late", a.day("chen"), delay_min=20))
    assert second is not None
    wait_for(lambda: second.status == "applied", what="the second change")
    captured = hub.call(
        lambda s: s.db.execute("SELECT * FROM requests WHERE key = ?", [first.key]).fetchone()
    )
    assert captured is not None
    replay = signed(
        _request(key=first.key, provider_id="chen", state="late", delay_min=10, requested_by="ana"),
        proof_key("ana"),
    )
    publish_raw(broker, TREE.request("lobby-a"), encode(replay))
    wait_for(
        lambda: any(r.action == "request_replayed" for r in hub.call(lambda s: AuditLog(s.db).records())),
        what="the replay audited",
    )
    status = hub.call(lambda s: s.status("chen"))
    assert (status.version, status.delay_min) == (2, 20)  # the replay did not bring back 10 min


def test_a_forged_staff_event_and_notice_ack_are_audited_as_refused(site: Site) -> None:
    hub, a, _b = site
    at = wall_now().isoformat(timespec="seconds")
    a.sync.submit(sm.StaffEvent(uuid.uuid4().hex, "lobby-a", at, "login", "ana", "supervisor"))
    a.sync.submit(sm.NoticeAck(uuid.uuid4().hex, "lobby-a", "n-none", "ana", at))
    wait_for(
        lambda: (
            {"staff_event_refused", "notice_ack_refused"}
            <= {r.action for r in hub.call(lambda s: AuditLog(s.db).records())}
        ),
        what="both refusals audited",
    )
    actions = [r.action for r in hub.call(lambda s: AuditLog(s.db).records())]
    assert "login" not in actions


def _cli(config: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--config", str(config), *args])
    return code, out.getvalue()


def test_a_kiosk_showing_a_version_the_hub_never_issued_is_escalated_and_the_hub_republishes(
    broker: Broker, site: Site
) -> None:
    hub, a, _b = site
    desk = hub.desk
    assert desk is not None
    assert hub.set_status(status_request("okafor", "late", 10)).accepted
    wait_for(lambda: a.status("okafor") is not None, what="the status on kiosk A")
    issued = a.status("okafor")
    assert issued is not None
    first = hub.own.epoch
    # Shown in the hub's own epoch: a version nobody at the practice made.
    forged_view = m.DisplayAck(
        "lobby-9", {"okafor": issued.version + 40}, wall_now().isoformat(), epoch=first
    )
    birth = encode(m.KioskAvailability("lobby-9", True, "0.1.0", wall_now().isoformat()))
    publish_raw(broker, TREE.availability("lobby-9"), birth, retain=True, client_id="lobby-9")
    publish_raw(broker, TREE.display("lobby-9"), encode(forged_view), retain=True, client_id="lobby-9")
    esc_id = f"display-unissued-lobby-9-okafor-v{issued.version + 40}"
    wait_for(
        lambda: any(e["id"] == esc_id for e in hub.call(lambda s: desk.escalations(False))), what="alert"
    )
    esc = next(e for e in hub.call(lambda s: desk.escalations(False)) if e["id"] == esc_id)
    assert f"the hub issued up to {issued.version}" in esc["detail"]
    # Its lower version again would be "stale" there: the hub starts a new epoch instead,
    # and publishes its own status under it.
    wait_for(lambda: hub.own.epoch > first, what="a new epoch")
    again = dataclasses.replace(issued, epoch=hub.own.epoch)
    wait_for(lambda: retained_raw(broker, TREE.status("okafor")) == encode(again), what="the hub's own")
    wait_for(lambda: a.sync.call(lambda c: c.epoch()) == hub.own.epoch, what="kiosk A on the new epoch")
    fixed = m.DisplayAck("lobby-9", {"okafor": issued.version}, wall_now().isoformat(), epoch=hub.own.epoch)
    publish_raw(broker, TREE.display("lobby-9"), encode(fixed), retain=True, client_id="lobby-9")
    wait_for(
        lambda: not any(e["id"] == esc_id for e in hub.call(lambda s: desk.escalations())),
        what="resolved once the kiosk shows what the hub issued",
    )
