"""The hub's staff side: role checks, the audit trail, supervisor notices, display
receipts, the affected-appointments list and escalations.

Runs on the hub thread with the hub's store. Each handler returns the messages to
publish as ``(topic, message, retain)``; the hub publishes them after its commit.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from config.settings import StaffSettings
from domain.impact import impact_sentence, status_impact
from hub.audit import AuditLog
from hub.escalation import KioskView, OpenNotice, due_escalations, waiting_kiosks
from hub.policy import RolePolicy
from hub.store import HubStore
from sync import messages as m
from sync import staff_messages as sm
from sync.topics import TopicTree
from sync.wire import Message

log = logging.getLogger(__name__)
Out = list[tuple[str, Message, bool]]


class StaffDesk:
    def __init__(self, store: HubStore, tree: TopicTree, staff: StaffSettings) -> None:
        self.store = store
        self.tree = tree
        self.staff = staff
        self.policy = RolePolicy.from_settings(staff)
        self.audit = AuditLog(store.db)
        self._receipts: dict[str, sm.DisplayReceipt] = {}

    # --- status requests --------------------------------------------------------------

    def check(self, req: m.StatusChangeRequest, from_command: bool) -> str:
        if req.kiosk_id == "cli" and not from_command:
            return "only the practice's terminal may use the id 'cli'"
        if from_command:
            return ""  # the hub's own command topic: only practice credentials can write it
        return self.policy.check(req)

    def on_decided(
        self,
        req: m.StatusChangeRequest,
        result: m.RequestResult,
        status: m.ProviderStatus | None,
        now: datetime,
    ) -> Out:
        """Audit the decision; for an applied change, notify supervisors and notifiers."""
        at = now.isoformat(timespec="seconds")
        if status is None:
            self.audit.append(
                at,
                req.requested_by,
                req.role,
                req.kiosk_id,
                "status_rejected",
                provider=req.provider_id,
                state=req.state,
                reason=result.reason,
            )
            return []
        self.audit.append(
            at,
            req.requested_by,
            req.role,
            req.kiosk_id,
            "status_change",
            provider=status.provider_id,
            state=status.state,
            delay_min=status.delay_min,
            leaving_at=status.leaving_at,
            reason=status.reason,
            version=status.version,
            approved_by=req.approved_by,
        )
        appts = [a.to_wire() for a in self.store.appointments(status.provider_id)]
        impact = status_impact(
            appts, status.state, now, delay_min=status.delay_min, leaving_at=status.leaving_at
        )
        name = self.store.providers().get(status.provider_id, status.provider_id)
        summary = impact_sentence(name, status.state, impact, status.delay_min, status.leaving_at)
        notice = sm.SupervisorNotice(
            f"n{status.provider_id}-{status.version}",
            at,
            status.provider_id,
            status.version,
            summary,
            req.requested_by,
        )
        self.store.db.table("notices").insert({**notice.__dict__, "acked_at": ""}, replace=True)
        hit = set(impact.appointment_ids)
        affected = sm.AffectedAppointments(
            status.provider_id,
            status.version,
            status.state,
            [sm.AffectedAppointment(a.id, a.start, a.state == "checked_in") for a in appts if a.id in hit],
        )
        out: Out = [
            (self.tree.notice(notice.id), notice, True),
            (self.tree.affected(status.provider_id), affected, True),
        ]
        return out + self.receipts()

    # --- kiosks -----------------------------------------------------------------------

    def receipts(self) -> Out:
        """Display receipts whose content changed since last published."""
        kiosks = self._kiosks()
        out: Out = []
        for status in self.store.statuses():
            if status.version == 0:
                continue
            waiting = waiting_kiosks(status, kiosks)
            shown = sorted(
                k.id for k in kiosks if k.online and k.display.get(status.provider_id, 0) >= status.version
            )
            receipt = sm.DisplayReceipt(status.provider_id, status.version, shown, waiting)
            if self._receipts.get(status.provider_id) != receipt:
                self._receipts[status.provider_id] = receipt
                out.append((self.tree.receipt(status.provider_id), receipt, True))
        return out

    def on_staff_event(self, event: sm.StaffEvent) -> Out:
        self.audit.append(
            event.at, event.actor, event.role, event.kiosk_id, event.action, detail=event.detail
        )
        if event.action != "lockout":
            return []
        alert = sm.Escalation(
            f"lockout-{event.kiosk_id}-{event.key[:8]}",
            event.at,
            "lockout",
            True,
            detail=f"admin entry locked on {event.kiosk_id} after repeated wrong PINs",
        )
        return self._open(alert)

    def on_notice_ack(self, ack: sm.NoticeAck) -> Out:
        row = self.store.db.execute("SELECT acked_by FROM notices WHERE id = ?", [ack.notice_id]).fetchone()
        if row is None or row[0]:
            return []
        self.store.db.execute(
            "UPDATE notices SET acked_by = ?, acked_at = ? WHERE id = ?", [ack.by, ack.at, ack.notice_id]
        )
        self.audit.append(ack.at, ack.by, "supervisor", ack.kiosk_id, "notice_ack", notice=ack.notice_id)
        notice = self._notice(ack.notice_id)
        return [(self.tree.notice(ack.notice_id), notice, True)] if notice else []

    # --- escalations ------------------------------------------------------------------

    def tick(self, now: datetime) -> Out:
        notices = [
            OpenNotice(r[0], r[1], r[2], r[3])
            for r in self.store.db.execute(
                "SELECT id, at, provider_id, status_version FROM notices WHERE acked_by = ''"
            )
        ]
        due = due_escalations(
            self.store.statuses(),
            self._kiosks(),
            notices,
            now,
            display_deadline_s=self.staff.display_deadline_s,
            notice_ack_min=self.staff.notice_ack_min,
        )
        at = now.isoformat(timespec="seconds")
        out: Out = []
        open_ids = {r[0] for r in self.store.db.execute("SELECT id FROM escalations WHERE open = 1")}
        for d in due:
            if d.id not in open_ids and not self._seen(d.id):
                out += self._open(
                    sm.Escalation(d.id, at, d.about, True, d.provider_id, d.status_version, d.detail)
                )
        due_ids = {d.id for d in due}
        for esc_id in open_ids - due_ids:
            if esc_id.startswith(("display-", "notice-")):
                out += self._resolve(esc_id, at)
        return out

    def _open(self, alert: sm.Escalation) -> Out:
        self.store.db.table("escalations").insert(
            {**alert.__dict__, "open": 1, "resolved_at": ""}, replace=True
        )
        self.audit.append(
            alert.at, "hub", "", "", "escalation", id=alert.id, about=alert.about, detail=alert.detail
        )
        log.warning("escalation opened", extra={"escalation": alert.id, "about": alert.about})
        return [(self.tree.alert(alert.id), alert, True)]

    def _resolve(self, esc_id: str, at: str) -> Out:
        row = self.store.db.execute(
            "SELECT at, about, provider_id, status_version, detail FROM escalations WHERE id = ?", [esc_id]
        ).fetchone()
        self.store.db.execute("UPDATE escalations SET open = 0, resolved_at = ? WHERE id = ?", [at, esc_id])
        self.audit.append(at, "hub", "", "", "escalation_resolved", id=esc_id)
        return [
            (
                self.tree.alert(esc_id),
                sm.Escalation(esc_id, row[0], row[1], False, row[2], row[3], row[4]),
                True,
            )
        ]

    def _seen(self, esc_id: str) -> bool:
        return (
            self.store.db.execute("SELECT 1 FROM escalations WHERE id = ?", [esc_id]).fetchone() is not None
        )

    def escalations(self, only_open: bool = True) -> list[dict[str, Any]]:
        where = "open = 1" if only_open else "1"
        return list(self.store.db.table("escalations").rows_where(where, order_by="at"))

    def _notice(self, notice_id: str) -> sm.SupervisorNotice | None:
        row = self.store.db.execute(
            "SELECT id, at, provider_id, status_version, summary, changed_by, acked_by"
            " FROM notices WHERE id = ?",
            [notice_id],
        ).fetchone()
        return sm.SupervisorNotice(*row) if row else None

    def _kiosks(self) -> list[KioskView]:
        rows = self.store.kiosks()
        return [
            KioskView(str(k["id"]), bool(k.get("online")), cast(dict[str, int], k["display"])) for k in rows
        ]
