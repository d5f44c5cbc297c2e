"""Turn committed status changes into outbox rows, once each (on the notify worker).

The cursor over ``status_history`` is committed with the rows it produced, so a crash
before the commit plans the change again and one after never does: a change is planned
exactly once whatever happens to the hub, and (appointment, change) is unique besides.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from config.settings import HubNotifySettings
from hub.notify.contacts import PatientContact
from hub.notify.records import OutboxRow
from hub.notify.rules import NEEDS_ANSWER, ChangeView, Notice, plan_change
from hub.notify.texts import render
from hub.store import HubStore


class Planner:
    def __init__(self, cfg: HubNotifySettings, practice: str, transports: dict[str, str]) -> None:
        self.cfg = cfg
        self.practice = practice
        self.transports = transports  # the patient's channel -> the transport that carries it
        self.stats: Counter[str] = Counter()
        self._cursor: int | None = None

    def open(self, store: HubStore) -> None:
        """Read the cursor (before anything else may commit a change: ``Notifier.start``)."""
        records = store.notify
        self._cursor = records.cursor()
        if self._cursor < 0:  # the first start: changes from before notifications were on are history
            with store.transaction():
                self._cursor = records.last_change_id()
                records.set_cursor(self._cursor)

    def plan(self, store: HubStore, now: datetime) -> int:
        """Plan every change committed since the last call; how many rows that added."""
        records = store.notify
        if self._cursor is None:
            self.open(store)
        if self._cursor is None or records.last_change_id() <= self._cursor:
            return 0
        added = 0
        with store.transaction():
            cursor = self._cursor
            for change_id, change in records.changes_after(cursor):
                added += self._plan_change(store, change, now)
                cursor = change_id
            records.set_cursor(cursor)
        self._cursor = cursor
        return added

    def _plan_change(self, store: HubStore, change: ChangeView, now: datetime) -> int:
        day = change.changed_at[:10]
        if not day or day != store.day():
            return 0  # another day's change: its patients are not today's
        records = store.notify
        appts = [a.to_wire() for a in store.appointments(change.provider_id)]
        told = {a.id: t for a in appts if (t := records.told(a.id, day)) is not None}
        # Held from when the change was seen, to the microsecond: its stamp has whole
        # seconds only (the wire's), so counting from it would hold up to a second less.
        seen = max(datetime.fromisoformat(change.changed_at), now)
        due = seen + timedelta(seconds=self.cfg.merge_window_s)
        added = 0
        for appt, notice in plan_change(change, appts, told, self.cfg.late_threshold_min):
            if notice is None:
                self.stats["merged"] += records.supersede_pending(appt.id, day, "")
                continue
            key = f"{appt.id}/{change.change}"
            row = self._row(
                key,
                appointment_id=appt.id,
                start=appt.start,
                change=change,
                notice=notice,
                contact=records.contact(appt.id, self.cfg.ehr_consent),
                due=due,
                now=now,
            )
            if row.state == "pending" and records.opted_out(row.address):
                row = _with_state(row, "opted_out", "the patient replied STOP before")
            if records.add(row):
                added += 1
                self.stats[row.state] += 1
                self.stats["merged"] += records.supersede_pending(appt.id, day, key)
        return added

    def _row(
        self,
        key: str,
        *,
        appointment_id: str,
        start: str,
        change: ChangeView,
        notice: Notice,
        contact: PatientContact | None,
        due: datetime,
        now: datetime,
    ) -> OutboxRow:
        contact = contact or PatientContact(appointment_id)
        address = contact.address()
        transport = self.transports.get(contact.channel, "")
        state, error = "pending", ""
        if not address:
            state, error = "no_consent", "no consent or no preferred channel"
        elif not transport:
            state, error = "no_channel", f"no transport for {contact.channel} is configured"
        subject, text = render(notice, self.practice, start, contact.language)
        return OutboxRow(
            key=key,
            appointment_id=appointment_id,
            change=change.change,
            provider_id=change.provider_id,
            status_version=change.version,
            appointment_start=start,
            kind=notice.kind,
            delay_min=notice.delay_min,
            leaving_at=notice.leaving_at,
            channel=contact.channel,
            transport=transport,
            address=address,
            language=contact.language,
            subject=subject,
            text=text,
            state=state,
            due_at=stamp(due),
            created_at=stamp(now),
            error=error,
            needs_answer=int(notice.kind in NEEDS_ANSWER),
        )


def stamp(when: datetime) -> str:
    """A time as the outbox stores it: always to the microsecond, so stored times compare
    as text and no fraction is ever dropped."""
    return when.isoformat(timespec="microseconds")


def _with_state(row: OutboxRow, state: str, error: str) -> OutboxRow:
    return replace(row, state=state, error=error)
