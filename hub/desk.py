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
from core.clock import Clock
from domain.impact import impact_sentence, status_impact
from domain.staff import Role
from hub.epoch import NEWER_EPOCH, UNISSUED_VERSION, EpochRequests, parse_epoch
from hub.escalation import (
    Due,
    KioskView,
    backlog_escalations,
    due_escalations,
    shows,
    unissued_displays,
    waiting_kiosks,
)
from hub.origin import RequestOrigin
from hub.policy import RolePolicy
from hub.store import HubStore
from sync import messages as m
from sync import staff_messages as sm
from sync.topics import TopicTree
from sync.wire import Message

log = logging.getLogger(__name__)
Out = list[tuple[str, Message, bool]]


class StaffDesk:
    def __init__(
        self, store: HubStore, tree: TopicTree, staff: StaffSettings, clock: Clock | None = None
    ) -> None:
        self.store = store
        self.tree = tree
        self.staff = staff
        self.policy = RolePolicy.from_settings(staff, clock)
        self.audit = store.audit
        self._receipts: dict[str, sm.DisplayReceipt] = {}
        # (reason, newest epoch seen) once a kiosk displays what this store never issued:
        # the hub service starts a new epoch above it (hub/own_topics.py), one a minute at most.
        self.epoch_wanted: tuple[str, m.Epoch] | None = None
        self.epoch_requests = EpochRequests()

    # --- status requests --------------------------------------------------------------

    def check(self, req: m.StatusChangeRequest, origin: RequestOrigin) -> str:
        """ "" when ``req`` (which came from ``origin``) may be applied, else why not."""
        return self.policy.check(req, origin)

    def on_replayed(
        self, req: m.StatusChangeRequest, earlier: m.RequestResult, now: datetime, origin: RequestOrigin
    ) -> None:
        """A request key seen before arrived again (a replay, or the outbox resending): audited,
        answered with the first result by the caller, nothing changed."""
        self.audit.append(
            now.isoformat(timespec="seconds"),
            req.requested_by,
            req.role,
            req.kiosk_id,
            "request_replayed",
            origin=origin.value,
            key=req.key,
            provider=req.provider_id,
            first_result="applied" if earlier.accepted else "rejected",
        )

    def on_decided(
        self,
        req: m.StatusChangeRequest,
        result: m.RequestResult,
        status: m.ProviderStatus | None,
        now: datetime,
        origin: RequestOrigin,
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
                origin=origin.value,
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
            origin=origin.value,
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
        self.store.staff.add_notice(notice)
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
        epoch = self.store.epochs.current()
        out: Out = []
        for status in self.store.statuses():
            if status.version == 0:
                continue
            waiting = waiting_kiosks(status, kiosks, epoch)
            shown = sorted(k.id for k in kiosks if k.online and shows(k, status, epoch))
            headless = sorted(k.id for k in kiosks if k.id in shown and not k.screen)
            receipt = sm.DisplayReceipt(status.provider_id, status.version, shown, waiting, headless)
            if self._receipts.get(status.provider_id) != receipt:
                self._receipts[status.provider_id] = receipt
                out.append((self.tree.receipt(status.provider_id), receipt, True))
        return out

    def on_staff_event(self, event: sm.StaffEvent) -> Out:
        refusal = self.policy.check_proof(event.actor, event, event.proof) if event.actor else ""
        if refusal:  # a kiosk's word that someone signed in: recorded as that, not as a sign-in
            self.audit.append(
                event.at,
                event.actor,
                event.role,
                event.kiosk_id,
                "staff_event_refused",
                claimed=event.action,
                detail=event.detail,
                reason=refusal,
            )
            log.warning("staff event refused", extra={"kiosk": event.kiosk_id, "action": event.action})
            return []
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

    def on_notice_ack(self, ack: sm.NoticeAck, origin: RequestOrigin = RequestOrigin.KIOSK) -> Out:
        refusal = self._ack_refusal(ack, origin)
        if refusal:
            self.audit.append(
                ack.at,
                ack.by,
                "",
                ack.kiosk_id,
                "notice_ack_refused",
                origin=origin.value,
                notice=ack.notice_id,
                reason=refusal,
            )
            return []
        if not self.store.staff.ack_notice(ack.notice_id, ack.by, ack.at):
            return []  # unknown, or acknowledged before
        self.audit.append(
            ack.at,
            ack.by,
            "supervisor",
            ack.kiosk_id,
            "notice_ack",
            origin=origin.value,
            notice=ack.notice_id,
        )
        notice = self.store.staff.notice(ack.notice_id)
        return [(self.tree.notice(ack.notice_id), notice, True)] if notice else []

    def _ack_refusal(self, ack: sm.NoticeAck, origin: RequestOrigin) -> str:
        if origin is not RequestOrigin.KIOSK:
            return ""  # the practice's terminal, or verified in the hub's own process
        refusal = self.policy.check_proof(ack.by, ack, ack.proof)
        member = self.policy.members.get(ack.by)
        if not refusal and (member is None or member.role != Role.SUPERVISOR):
            refusal = f"{ack.by} is not a supervisor"
        return refusal

    # --- escalations ------------------------------------------------------------------

    def tick(self, now: datetime) -> Out:
        epoch = self.store.epochs.current()
        kiosks = self._kiosks()
        due = due_escalations(
            self.store.statuses(),
            kiosks,
            self.store.staff.unacked_notices(),
            now,
            display_deadline_s=self.staff.display_deadline_s,
            notice_ack_min=self.staff.notice_ack_min,
            epoch=epoch,
        ) + backlog_escalations(
            self.store.kiosk_backlogs(), now, unacked_checkin_s=self.staff.unacked_checkin_s
        )
        unissued = unissued_displays(self.store.statuses(), kiosks, epoch, now.timestamp())
        at = now.isoformat(timespec="seconds")
        out: Out = []
        open_ids = self.store.staff.open_escalation_ids()
        fresh = [
            d for d in due + unissued if d.id not in open_ids and not self.store.staff.escalation_known(d.id)
        ]
        for d in fresh:
            alert = sm.Escalation(d.id, at, d.about, True, d.provider_id, d.status_version, d.detail)
            out += self._open(alert)
        self._want_epoch([d for d in fresh if d in unissued], kiosks, epoch, now.timestamp())
        self.epoch_wanted = self.epoch_wanted or self.epoch_requests.due(now.timestamp())
        due_ids = {d.id for d in due + unissued}
        for esc_id in open_ids - due_ids:
            if esc_id.startswith(("display-", "notice-", "unacked-")):
                out += self._resolve(esc_id, at)
        return out

    def _want_epoch(self, unissued: list[Due], kiosks: list[KioskView], epoch: m.Epoch, now_s: float) -> None:
        """Republishing the hub's lower versions would not move a kiosk that holds higher
        ones: a new epoch above the newest any kiosk follows does, once as the escalation
        opens."""
        if not unissued:
            return
        newest = max([k.epoch for k in kiosks] + [epoch])
        deferred = self.epoch_requests.deferred
        self.epoch_requests.want(NEWER_EPOCH if newest > epoch else UNISSUED_VERSION, newest, now_s)
        if self.epoch_requests.deferred > deferred:
            log.warning("new epoch deferred: one a minute at most", extra={"epoch": str(newest)})

    def open_new(self, alerts: list[sm.Escalation]) -> Out:
        """Open the escalations among ``alerts`` not opened before (``hub.publish_guard``)."""
        out: Out = []
        for alert in alerts:
            if not self.store.staff.escalation_known(alert.id):
                out += self._open(alert)
        return out

    def _open(self, alert: sm.Escalation) -> Out:
        self.store.staff.open_escalation(alert)
        self.audit.append(
            alert.at, "hub", "", "", "escalation", id=alert.id, about=alert.about, detail=alert.detail
        )
        log.warning("escalation opened", extra={"escalation": alert.id, "about": alert.about})
        return [(self.tree.alert(alert.id), alert, True)]

    def _resolve(self, esc_id: str, at: str) -> Out:
        closed = self.store.staff.resolve_escalation(esc_id, at)
        if closed is None:
            return []
        self.audit.append(at, "hub", "", "", "escalation_resolved", id=esc_id)
        return [(self.tree.alert(esc_id), closed, True)]

    def escalations(self, only_open: bool = True) -> list[dict[str, Any]]:
        return self.store.staff.escalations(only_open)

    def _kiosks(self) -> list[KioskView]:
        rows = self.store.kiosks()
        return [
            KioskView(
                str(k["id"]),
                bool(k.get("online")),
                cast(dict[str, int], k["display"]),
                screen=bool(k.get("display_screen")),
                epoch=parse_epoch(k.get("display_epoch")),
            )
            for k in rows
        ]
