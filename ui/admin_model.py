"""``Admin`` in QML: the staff panel (``AdminPanel``) as properties, its actions as slots.

Sync changes (request results, display receipts, supervisor notices, status and schedule
changes) arrive on the sync thread through ``on_sync_change`` and are handled on the Qt
thread via a queued ``Relay``, as the board's are. Badge reads come from ``ui.run``'s device
relay, already on the Qt thread. PINs are checked on one long-lived ``pin-check`` worker
(one scrypt at a time, never a thread per check), stopped by ``detach()``. Staff pick
their name first (the "who" page), so a check is one derivation whatever the staff list.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Property, QCoreApplication, QEventLoop, QObject, Signal, Slot

from core.worker import Worker
from domain.admin_backend import AdminBackend, compact_line
from domain.admin_panel import LATE_PRESETS, AdminPanel
from domain.flow import FlowView, Screen
from domain.staff_words import reason_in, summary_in
from sync import staff_messages as sm
from ui.qt_signals import emit
from ui.relay import Relay

_REFRESH_ON = ("status", "schedule", "result", "staff")


class AdminModel(QObject):
    changed = Signal()
    techChanged = Signal()

    def __init__(self, backend: AdminBackend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel = AdminPanel(backend)
        self._providers: list[dict[str, Any]] = []
        self._tech: dict[str, Any] = {}
        self._language = "en"
        self._detached = False
        self._relay = Relay(self.apply_change, self)
        self._checked = Relay(lambda _none: self._pin_checked(), self)
        self._checking = False
        self._pin_worker = Worker("pin-check", stall_s=30.0)
        self._pin_worker.start()

    @property
    def backend(self) -> AdminBackend:
        return self.panel.backend

    # --- other threads and the patient flow ------------------------------------------

    def on_sync_change(self, change: Any) -> None:
        """A ``KioskSync`` listener: called on the sync thread, handled on the Qt thread."""
        if not self._detached and getattr(change, "kind", "") in _REFRESH_ON:
            self._relay.post(change)

    def detach(self) -> None:
        self._detached = True
        self._pin_worker.stop(timeout=2)

    @property
    def pin_worker(self) -> Worker:
        """The worker that checks PINs (its ``responsive()`` is for the watchdog)."""
        return self._pin_worker

    def apply_change(self, change: Any) -> None:
        """On the Qt thread: results, receipts and notices update the session's records."""
        if self._detached:
            return
        if change.result is not None:
            self.panel.on_result(change.result)
        if isinstance(change.message, sm.DisplayReceipt):
            self.panel.on_receipt(change.message)
        elif isinstance(change.message, sm.SupervisorNotice):
            self.panel.session.on_notice(change.message)
        if self.panel.is_open:
            self._refresh()

    def on_flow_view(self, view: FlowView) -> None:
        """A patient-facing flow that leaves the attract screen ends the staff session; the
        panel speaks the screen's language (the hub's words too: ``domain.staff_words``)."""
        if self.panel.is_open and view.screen != Screen.ATTRACT:
            self.panel.close("patient")
            emit(self.changed)
        if view.language != self._language:
            self._language = view.language
            emit(self.changed)

    def badge(self, badge_id: str) -> bool:
        """A badge read: signs in when the entry is open (True), else it is not ours."""
        used = self.panel.badge(badge_id)
        if used:
            self._refresh()
        return used

    @property
    def entry_open(self) -> bool:
        return self.panel.page in ("who", "pin", "locked")

    def use_session(self, backend: AdminBackend) -> None:
        """A fresh panel (screenshots and tests start each scene from scratch)."""
        self.panel = AdminPanel(backend)
        self._refresh()

    # --- what the screens show ----------------------------------------------------------

    def _refresh(self) -> None:
        if self.panel.page in ("providers", "action", "requests"):
            self._providers = [
                {
                    "providerId": r.provider_id,
                    "name": r.name,
                    "status": r.state,
                    "delayMin": r.delay_min,
                    "leavingAt": r.leaving_at,
                }
                for r in self.panel.providers()
            ]
        if self.panel.page == "tech":
            self._refresh_tech()
        emit(self.changed)

    def _refresh_tech(self) -> None:
        backend = self.backend
        status = backend.sync_status()
        devices = [
            {"name": name, "state": h.get("state", "error"), "reason": h.get("reason", "")}
            for name, h in sorted(backend.device_health().items())
        ]
        self._tech = {
            "devices": devices,
            "syncAnswers": status is not None,
            "connected": status is not None and status.connected,
            "live": status is not None and status.live,
            "cacheAgeS": -1 if status is None else round(status.cache_age_s),
            "outboxDepth": -1 if status is None else status.outbox_depth,
            "logLines": [compact_line(line) for line in backend.log_lines()[-50:]],
        }
        emit(self.techChanged)

    def _draft(self, name: str, default: Any) -> Any:
        return default if self.panel.draft is None else getattr(self.panel.draft, name)

    def _proposal(self, name: str, default: Any) -> Any:
        return default if self.panel.proposal is None else getattr(self.panel.proposal, name)

    def _impact(self, name: str) -> int:
        return 0 if self.panel.proposal is None else int(getattr(self.panel.proposal.impact, name))

    def _requests(self) -> list[dict[str, Any]]:
        names, sent = self.panel.names, self.panel.sent
        return [
            {
                "key": p.key,
                "providerName": names.get(p.provider_id, p.provider_id),
                "state": p.state,
                "delayMin": sent[p.key].delay_min if p.key in sent else 0,
                "leavingAt": sent[p.key].leaving_at if p.key in sent else "",
                "status": p.status,
                "reason": reason_in(p.reason, self._language),
                "displayedBy": ", ".join(p.displayed_by),
                "waitingFor": ", ".join(p.waiting_for),
            }
            for p in self.panel.requests()
        ]

    def _notices(self) -> list[dict[str, str]]:
        return [
            {"noticeId": n.id, "summary": summary_in(n.summary, self._language), "at": n.at[11:16]}
            for n in sorted(self.panel.session.notices.values(), key=lambda n: n.at, reverse=True)
        ]

    isOpen = Property(bool, lambda self: self.panel.is_open, notify=changed)
    page = Property(str, lambda self: self.panel.page, notify=changed)
    members = Property(
        "QVariantList",  # type: ignore[arg-type]
        lambda self: [{"memberId": i, "role": r} for i, r in self.panel.members()],
        notify=changed,
    )
    picked = Property(str, lambda self: self.panel.picked, notify=changed)
    pinLength = Property(int, lambda self: len(self.panel.pin), notify=changed)
    checking = Property(bool, lambda self: self._checking, notify=changed)
    error = Property(str, lambda self: self.panel.error, notify=changed)
    lockSecondsLeft = Property(int, lambda self: self.panel.session.lock_seconds_left(), notify=changed)
    memberId = Property(
        str, lambda self: self.panel.session.member.id if self.panel.session.member else "", notify=changed
    )
    role = Property(str, lambda self: self.panel.role, notify=changed)
    tabs = Property("QVariantList", lambda self: list(self.panel.tabs), notify=changed)  # type: ignore[arg-type]
    providers = Property("QVariantList", lambda self: self._providers, notify=changed)  # type: ignore[arg-type]
    draftName = Property(str, lambda self: self._draft("provider_name", ""), notify=changed)
    draftState = Property(str, lambda self: self._draft("state", ""), notify=changed)
    delayMin = Property(int, lambda self: self._draft("delay_min", 0), notify=changed)
    leavingAt = Property(str, lambda self: self._draft("leaving_at", ""), notify=changed)
    reason = Property(str, lambda self: self._draft("reason", ""), notify=changed)
    canReview = Property(bool, lambda self: self.panel.can_review, notify=changed)
    latePresets = Property("QVariantList", lambda self: list(LATE_PRESETS), constant=True)  # type: ignore[arg-type]
    sentence = Property(str, lambda self: self._proposal("sentence", ""), notify=changed)
    affected = Property(int, lambda self: self._impact("affected"), notify=changed)
    checkedIn = Property(int, lambda self: self._impact("checked_in"), notify=changed)
    onTheirWay = Property(int, lambda self: self._impact("on_their_way"), notify=changed)
    allowed = Property(bool, lambda self: self._proposal("allowed", False), notify=changed)
    needsApproval = Property(bool, lambda self: self._proposal("needs_approval", False), notify=changed)
    refusal = Property(str, lambda self: self._proposal("refusal", ""), notify=changed)
    requests = Property("QVariantList", lambda self: self._requests(), notify=changed)  # type: ignore[arg-type]
    notices = Property("QVariantList", lambda self: self._notices(), notify=changed)  # type: ignore[arg-type]
    noticeCount = Property(int, lambda self: len(self.panel.session.notices), notify=changed)
    tech = Property("QVariantMap", lambda self: self._tech, notify=techChanged)  # type: ignore[arg-type]

    # --- what staff do ------------------------------------------------------------------

    def _do(self, action: Callable[[], object]) -> None:
        action()
        self._refresh()

    @Slot()
    def open(self) -> None:
        self._do(self.panel.open)

    @Slot()
    def close(self) -> None:
        self._do(self.panel.close)

    @Slot()
    def touch(self) -> None:
        self.panel.touch()

    @Slot(str)
    def pick(self, member_id: str) -> None:
        self._do(lambda: self.panel.pick(member_id))

    @Slot(str)
    def press(self, key: str) -> None:
        self._do(lambda: self.panel.press(key))

    @Slot()
    def erase(self) -> None:
        self._do(self.panel.erase)

    @Slot()
    def submitPin(self) -> None:
        """The picked member's PIN is checked with one scrypt derivation (slow on purpose,
        ~0.2 s on a Pi): on the pin-check worker, with the pad disabled meanwhile, so the
        screen stays live. One check at a time: the pad ignores Enter until the answer is back."""
        if self._checking or not self.panel.pin:
            return
        self._checking = True
        self._refresh()
        if not self._pin_worker.post(self._check_pin):
            self._pin_checked()  # detached: nothing checks PINs any more

    def _check_pin(self) -> None:
        try:
            self.panel.submit_pin()
        finally:
            self._checked.post(None)  # a check that raised is counted by the worker

    def wait_checked(self, timeout_s: float = 10.0) -> bool:
        """Process events until the PIN being checked has its answer (scripts and scenes)."""
        deadline = time.monotonic() + timeout_s
        while self._checking and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)
        return not self._checking

    def _pin_checked(self) -> None:
        self._checking = False
        self._refresh()

    @Slot(str)
    def show(self, page: str) -> None:
        self._do(lambda: self.panel.show(page))  # type: ignore[arg-type]

    @Slot()
    def back(self) -> None:
        self._do(self.panel.back)

    @Slot(str, str)
    def choose(self, provider_id: str, state: str) -> None:
        self._do(lambda: self.panel.choose(provider_id, state))  # type: ignore[arg-type]

    @Slot(int)
    def adjustLate(self, delta: int) -> None:
        self._do(lambda: self.panel.adjust_late(delta))

    @Slot(int)
    def setLate(self, minutes: int) -> None:
        self._do(lambda: self.panel.set_late(minutes))

    @Slot(str)
    def setReason(self, reason: str) -> None:
        self._do(lambda: self.panel.set_reason(reason))

    @Slot(int)
    def adjustLeaving(self, delta_min: int) -> None:
        self._do(lambda: self.panel.adjust_leaving(delta_min))

    @Slot()
    def review(self) -> None:
        self._do(self.panel.review)

    @Slot()
    def send(self) -> None:
        self._do(self.panel.send)

    @Slot(str)
    def ack(self, notice_id: str) -> None:
        self._do(lambda: self.panel.ack(notice_id))

    @Slot()
    def restartService(self) -> None:
        self._do(self.panel.restart_service)

    @Slot()
    def exitToDesktop(self) -> None:
        if self.panel.exit_to_desktop():
            emit(self.changed)
            if self.backend.exit_app is not None:
                self.backend.exit_app(self.backend.exit_code)

    # --- time (the shell's 1 s timer) ---------------------------------------------------

    def tick(self) -> None:
        if not self.panel.is_open:
            return
        page = self.panel.page
        self.panel.tick()
        if page != self.panel.page or page in ("locked", "tech"):
            self._refresh()
