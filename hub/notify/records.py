"""Every statement on the notification tables (reached as ``HubStore.notify``). Writes run
inside the caller's ``HubStore.transaction()``. Addresses (phone numbers, e-mail) live in
these tables only; nothing here logs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from hub.notify.channel_records import ChannelRecords
from hub.notify.contacts import PatientContact
from hub.notify.ehr_consent import consented, ehr_contact
from hub.notify.rules import SENT_STATES, TOLD_STATES, ChangeView, Notice

_CURSOR = "status_history"


@dataclass(frozen=True)
class OutboxRow:
    """One notification: planned, then sent once (its key is appointment/change)."""

    key: str
    appointment_id: str
    change: str
    provider_id: str
    status_version: int
    appointment_start: str
    kind: str
    delay_min: int
    leaving_at: str
    channel: str  # the patient's: sms, email
    transport: str  # how it leaves: smpp, smtp, webhook
    address: str
    language: str
    subject: str
    text: str
    state: str
    due_at: str
    created_at: str
    attempts: int = 0
    sent_at: str = ""
    message_id: str = ""
    receipt: str = ""
    receipt_at: str = ""
    error: str = ""
    in_doubt_since: str = ""
    needs_answer: int = 0
    answer: str = ""
    escalate: str = ""  # why staff must call the patient; "" while nothing is wrong
    escalated: int = 0
    seq: int = 0


_FIELDS = [f.name for f in dataclasses.fields(OutboxRow)]
_COLUMNS = ", ".join(_FIELDS)


def _row(values: Iterable[Any]) -> OutboxRow:
    return OutboxRow(**dict(zip(_FIELDS, values, strict=True)))


class NotifyRecords:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        self.channels = ChannelRecords(db)

    # --- contacts ---------------------------------------------------------------------

    def save_contacts(self, contacts: Iterable[PatientContact]) -> None:
        self._db.table("patient_contacts").upsert_all(
            ({**dataclasses.asdict(c), "consent": int(c.consent)} for c in contacts),
            pk="appointment_id",
        )

    def forget_contacts(self, provider_ids: list[str]) -> None:
        """Drop the contacts of these providers' appointments (before their day is replaced:
        appointment ids may come back tomorrow for other patients)."""
        for provider_id in provider_ids:
            self._db.execute(
                "DELETE FROM patient_contacts WHERE appointment_id IN"
                " (SELECT id FROM appointments WHERE provider_id = ?)",
                [provider_id],
            )

    def contact(self, appointment_id: str, ehr_policy: str = "none") -> PatientContact | None:
        """The schedule import's contact; else the practice system's, as ``ehr_policy``
        allows (``hub.notify.ehr_consent``)."""
        imported = self._imported(appointment_id)
        if imported is not None:
            return imported
        ehr = ehr_contact(self._db, appointment_id)
        return None if ehr is None else consented(appointment_id, ehr, ehr_policy)

    def booked_with_phone(self, phone: str, day: str) -> list[str]:
        """Up to two ids of ``day``'s booked (not checked in, not cancelled) appointments whose
        imported contact has ``phone`` (E.164): a caller-ID match (``hub.caller_match``) needs
        to know only whether there is exactly one. A day's contacts are a few hundred rows."""
        rows = self._db.execute(
            "SELECT a.id FROM patient_contacts c JOIN appointments a ON a.id = c.appointment_id"
            " WHERE c.phone = ? AND a.state = 'booked' AND substr(a.start, 1, 10) = ?"
            " ORDER BY a.id LIMIT 2",
            [phone, day],
        ).fetchall()
        return [str(row[0]) for row in rows]

    def _imported(self, appointment_id: str) -> PatientContact | None:
        row = self._db.execute(
            "SELECT appointment_id, phone, email, consent, channel, language FROM patient_contacts"
            " WHERE appointment_id = ?",
            [appointment_id],
        ).fetchone()
        return None if row is None else PatientContact(row[0], row[1], row[2], bool(row[3]), row[4], row[5])

    # --- the planner's cursor over status_history -------------------------------------

    def cursor(self) -> int:
        row = self._db.execute("SELECT value FROM notify_cursor WHERE name = ?", [_CURSOR]).fetchone()
        return int(row[0]) if row else -1

    def set_cursor(self, value: int) -> None:
        self._db.execute(
            "INSERT INTO notify_cursor (name, value) VALUES (?, ?)"
            " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [_CURSOR, value],
        )

    def last_change_id(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM status_history").fetchone()[0])

    def changes_after(self, cursor: int, limit: int = 50) -> list[tuple[int, ChangeView]]:
        rows = self._db.execute(
            "SELECT id, provider_id, version, state, delay_min, leaving_at, changed_at FROM status_history"
            " WHERE id > ? ORDER BY id LIMIT ?",
            [cursor, limit],
        )
        return [(r[0], ChangeView(r[1], r[2], r[3], r[4] or 0, r[5] or "", r[6] or "")) for r in rows]

    # --- the outbox -------------------------------------------------------------------

    def told(self, appointment_id: str, day: str) -> Notice | None:
        """What the patient of ``appointment_id`` on ``day`` was last told (or is being told)."""
        marks = ", ".join("?" * len(TOLD_STATES))
        row = self._db.execute(
            f"SELECT kind, delay_min, leaving_at FROM notify_outbox WHERE appointment_id = ?"  # noqa: S608
            f" AND substr(appointment_start, 1, 10) = ? AND state IN ({marks}) ORDER BY seq DESC LIMIT 1",
            [appointment_id, day, *sorted(TOLD_STATES)],
        ).fetchone()
        return None if row is None else Notice(row[0], row[1], row[2])

    def supersede_pending(self, appointment_id: str, day: str, by_key: str) -> int:
        """Drop what still waits for this appointment: a newer change replaces it."""
        cur = self._db.execute(
            "UPDATE notify_outbox SET state = 'merged', error = ? WHERE appointment_id = ?"
            " AND substr(appointment_start, 1, 10) = ? AND state = 'pending' AND key != ?",
            [f"merged into {by_key}" if by_key else "nothing new to tell", appointment_id, day, by_key],
        )
        return cur.rowcount

    def add(self, row: OutboxRow) -> bool:
        """Plan ``row`` once; False when its (appointment, change) was planned before."""
        values = {k: v for k, v in dataclasses.asdict(row).items() if k != "seq"}
        cur = self._db.execute(
            f"INSERT OR IGNORE INTO notify_outbox ({', '.join(values)})"  # noqa: S608 - fixed names
            f" VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
        return cur.rowcount == 1

    def due(self, transport: str, now: str, limit: int) -> list[OutboxRow]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE state = 'pending' AND transport = ?"  # noqa: S608
            " AND due_at <= ? ORDER BY due_at, appointment_start, seq LIMIT ?",
            [transport, now, limit],
        )
        return [_row(r) for r in rows]

    def pending_past(self, now: str) -> list[OutboxRow]:
        """Waiting messages whose visit has begun (whatever their channel's health)."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE state = 'pending'"  # noqa: S608
            " AND appointment_start <= ? ORDER BY seq",
            [now],
        )
        return [_row(r) for r in rows]

    def next_due(self) -> str:
        row = self._db.execute("SELECT min(due_at) FROM notify_outbox WHERE state = 'pending'").fetchone()
        return str(row[0] or "")

    def update(self, key: str, **values: Any) -> None:
        sets = ", ".join(f"{name} = ?" for name in values if name in _FIELDS)
        self._db.execute(
            f"UPDATE notify_outbox SET {sets} WHERE key = ?",  # noqa: S608 - names checked above
            [*(v for n, v in values.items() if n in _FIELDS), key],
        )

    def get(self, key: str) -> OutboxRow | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE key = ?",  # noqa: S608
            [key],
        ).fetchone()
        return None if row is None else _row(row)

    def in_state(self, *states: str) -> list[OutboxRow]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE state IN ({', '.join('?' * len(states))})"  # noqa: S608
            " ORDER BY seq",
            list(states),
        )
        return [_row(r) for r in rows]

    def by_message_id(self, message_id: str) -> OutboxRow | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE message_id = ? AND message_id != ''"  # noqa: S608
            " ORDER BY seq DESC LIMIT 1",
            [message_id],
        ).fetchone()
        return None if row is None else _row(row)

    def in_doubt_for(self, address: str) -> OutboxRow | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE address = ? AND state = 'in_doubt'"  # noqa: S608
            " ORDER BY seq LIMIT 1",
            [address],
        ).fetchone()
        return None if row is None else _row(row)

    def last_sent_to(self, address: str, since: str) -> OutboxRow | None:
        """The newest notification the patient at ``address`` got since ``since`` (what a
        reply answers)."""
        marks = ", ".join("?" * len(SENT_STATES))
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE address = ? AND state IN ({marks})"  # noqa: S608
            " AND created_at >= ? ORDER BY seq DESC LIMIT 1",
            [address, *sorted(SENT_STATES), since],
        ).fetchone()
        return None if row is None else _row(row)

    def sent_times(self, address: str, since: str) -> list[str]:
        marks = ", ".join("?" * len(TOLD_STATES))
        rows = self._db.execute(
            f"SELECT CASE WHEN sent_at != '' THEN sent_at ELSE due_at END FROM notify_outbox"  # noqa: S608
            f" WHERE address = ? AND state IN ({marks}) AND created_at >= ?",
            [address, *sorted(TOLD_STATES), since],
        )
        return [r[0] for r in rows]

    def to_escalate(self) -> list[OutboxRow]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE escalate != '' AND escalated = 0"  # noqa: S608
            " ORDER BY seq"
        )
        return [_row(r) for r in rows]

    def awaiting_answer(self) -> list[OutboxRow]:
        marks = ", ".join("?" * len(SENT_STATES))
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox WHERE needs_answer = 1 AND answer = ''"  # noqa: S608
            f" AND escalate = '' AND state IN ({marks}) ORDER BY seq",
            sorted(SENT_STATES),
        )
        return [_row(r) for r in rows]

    def rows(self, limit: int = 1000) -> list[OutboxRow]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM notify_outbox ORDER BY seq DESC LIMIT ?",  # noqa: S608
            [limit],
        )
        return [_row(r) for r in rows]

    def counts_for_day(self, day: str) -> dict[str, int]:
        """Messages about ``day``'s visits, by state."""
        rows = self._db.execute(
            "SELECT state, count(*) FROM notify_outbox WHERE substr(appointment_start, 1, 10) = ?"
            " GROUP BY state ORDER BY state",
            [day],
        )
        return {r[0]: r[1] for r in rows}

    def optouts(self, limit: int = 1000) -> list[tuple[str, str, str]]:
        """(address, at, via), newest first."""
        rows = self._db.execute(
            "SELECT address, at, via FROM notify_optouts ORDER BY at DESC LIMIT ?", [limit]
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT state, count(*) FROM notify_outbox GROUP BY state ORDER BY state")
        return {r[0]: r[1] for r in rows}

    # --- receipts, replies, opt-outs --------------------------------------------------

    def add_receipt(self, at: str, outbox_key: str, message_id: str, status: str) -> None:
        self._db.execute(
            "INSERT INTO notify_receipts (at, outbox_key, message_id, status) VALUES (?, ?, ?, ?)",
            [at, outbox_key, message_id, status],
        )

    def add_reply(
        self,
        *,
        at: str,
        channel: str,
        address: str,
        outbox_key: str,
        appointment_id: str,
        meaning: str,
        text: str,
        note: str = "",
    ) -> None:
        self._db.execute(
            "INSERT INTO notify_replies (at, channel, address, outbox_key, appointment_id, meaning, text,"
            " note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [at, channel, address, outbox_key, appointment_id, meaning, text[:160], note],
        )

    def known_address(self, address: str) -> str:
        """``address`` as the outbox writes it (an e-mail reply's From may differ in case)."""
        if "@" not in address:
            return address
        row = self._db.execute(
            "SELECT address FROM notify_outbox WHERE lower(address) = lower(?) ORDER BY seq DESC LIMIT 1",
            [address],
        ).fetchone()
        return str(row[0]) if row else address.lower()

    def replies(self, limit: int = 1000) -> list[dict[str, Any]]:
        return list(self._db.table("notify_replies").rows_where(order_by="id DESC", limit=limit))

    def opted_out(self, address: str) -> bool:
        row = self._db.execute("SELECT 1 FROM notify_optouts WHERE address = ?", [address]).fetchone()
        return row is not None

    def opt_out(self, address: str, at: str, via: str) -> int:
        """Record the opt-out and drop everything still waiting for ``address``."""
        self._db.execute(
            "INSERT OR IGNORE INTO notify_optouts (address, at, via) VALUES (?, ?, ?)", [address, at, via]
        )
        cur = self._db.execute(
            "UPDATE notify_outbox SET state = 'opted_out', error = 'patient replied STOP'"
            " WHERE address = ? AND state = 'pending'",
            [address],
        )
        return cur.rowcount

    def opt_in(self, address: str) -> bool:
        cur = self._db.execute("DELETE FROM notify_optouts WHERE address = ?", [address])
        return cur.rowcount == 1
