"""All SQL of the EHR interface, on the hub's store (the hub worker's connection).

``apply`` and ``record`` run inside the caller's transaction, so a message, its effect on
the day and the schedule versions it bumps commit together, before the ACK is written.
The kiosk-facing ``appointments`` and ``providers`` rows are a projection of
``ehr_appointments`` onto today: what the hub already publishes to kiosks (first name,
three letters of the last name, birth date, start, provider, code, state).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.ehr.orphans import filled, orphan
from hub.ehr.siu import Booking, Event, ProviderRef
from hub.notify import ehr_consent
from hub.store import HubStore
from sync import messages as m

FHIR_PREFIX = "fhir:"  # control ids of FHIR resource versions ("fhir:Appointment/ID/_history/V")
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as hub.sample: read aloud, typed by patients
_WIRE_STATE = {
    "booked": "booked",
    "checked_in": "checked_in",
    "cancelled": "cancelled",
    "no_show": "cancelled",
}
_APPT_COLS = ("id", "provider_id", "start", "duration_min", "first_name", "last_name", "dob", "code", "state")
_EHR_COLS = (
    "id",
    "placer_id",
    "filler_id",
    "provider_id",
    "provider_name",
    "start",
    "duration_min",
    "first_name",
    "last_name",
    "dob",
    "mrn",
    "state",
    "filler_status",
    "code",
    "event_time",
    "control_id",
    "echo",
    "updated_at",
    "source",
)


@dataclass(frozen=True)
class Applied:
    code: str  # AA or AE
    reason: str
    effect: str  # applied, stale (an older message than the one in force), refused
    touched: frozenset[str]  # providers whose kiosk schedule changed


@dataclass(frozen=True)
class Arrival:
    appointment_id: str
    control_id: str
    created_at: str
    arrived_at: str
    attempts: int
    echo: str
    start: str


def resolve_provider(
    refs: tuple[ProviderRef, ...], mapping: Mapping[str, str], known: set[str]
) -> tuple[str, str] | None:
    """The first named provider the hub knows: by the site's table, else by its own id."""
    for ref in refs:
        hub_id = mapping.get(ref.ehr_id) or (ref.ehr_id if ref.ehr_id in known else "")
        if hub_id:
            return hub_id, ref.name
    return None


class EhrRecords:
    def __init__(self, store: HubStore) -> None:
        self.store = store
        self.db = store.db
        self._arrivals_seen = 0  # rowid of the last check-in looked at for an arrival

    # --- messages ---------------------------------------------------------------------

    def earlier(self, sender: str, control_id: str, message_type: str) -> bool:
        """This message (same sender, MSH-10 and type) was accepted before: a repeat,
        acknowledged, changes nothing."""
        row = self.db.execute(
            "SELECT outcome FROM ehr_messages WHERE sender = ? AND control_id = ? AND type = ?",
            [sender, control_id, message_type],
        ).fetchone()
        return row is not None and row[0] == "AA"

    def record(self, values: dict[str, str]) -> None:
        """One received message (a refused one replaces its earlier refusal: the sender may
        resend it once the site fixed what was wrong)."""
        self.db.execute(
            "INSERT OR REPLACE INTO ehr_messages (sender, control_id, received_at, sent_at, type, version,"
            " outcome, effect, reason, appointment_id, raw) VALUES (:sender, :control_id, :received_at,"
            " :sent_at, :type, :version, :outcome, :effect, :reason, :appointment_id, :raw)",
            values,
        )

    def count(self, counts: Mapping[str, int]) -> None:
        self.store.bump({f"ehr_{name}": n for name, n in counts.items() if n})

    def purge(self, before: str) -> int:
        """Forget what is older than ``before`` (local ISO): received messages, appointments
        that started (or, without a start, changed) before it, and their sent arrivals."""
        day = before[:10]
        removed = self.db.execute("DELETE FROM ehr_messages WHERE received_at < ?", [before]).rowcount
        removed += self.db.execute(
            "DELETE FROM ehr_outbound WHERE state = 'acked' AND appointment_id IN"
            " (SELECT id FROM ehr_appointments WHERE start != '' AND substr(start, 1, 10) < ?)",
            [day],
        ).rowcount
        removed += self.db.execute(
            "DELETE FROM ehr_appointments WHERE (start != '' AND substr(start, 1, 10) < ?)"
            " OR (start = '' AND updated_at < ?)",
            [day, before],
        ).rowcount
        return removed

    # --- appointments -----------------------------------------------------------------

    def apply(
        self, ev: Event, mapping: Mapping[str, str], received_at: str, arrival_utc: str, today: str
    ) -> Applied:
        """Apply one accepted message. Its own time (MSH-7, else ``arrival_utc``) orders
        it: an older message than the one in force is acknowledged and changes nothing."""
        b = ev.booking
        old = self._row(b.id)
        when = ev.header.sent_at or arrival_utc
        newer = old is not None and str(old["event_time"]) > when
        if old is not None and newer and not orphan(old):
            return Applied("AA", "", "stale", frozenset())
        provider = resolve_provider(b.providers, mapping, set(self.store.provider_ids()))
        if provider is None and ev.complete:
            return Applied("AE", _unknown(b.providers), "refused", frozenset())
        if old is not None and newer:  # a late booking of an orphan: it supplies what the newer left out
            row = filled(old, b, provider)
        else:
            row = self._merged(b, old, provider, when=when, control_id=ev.header.control_id, at=received_at)
        self._write(row)
        if b.contact is not None:  # hub-only, never on the wire (hub/notify/ehr_consent.py)
            ehr_consent.keep(self.db, b.id, b.contact, received_at)
        touched = self._place(row, today)
        self._bump(touched, today)
        return Applied("AA", "", "orphan" if orphan(row) else "applied", frozenset(touched))

    def _write(self, row: dict[str, Any]) -> None:
        self.db.execute(
            f"INSERT OR REPLACE INTO ehr_appointments ({', '.join(_EHR_COLS)})"  # noqa: S608
            f" VALUES ({', '.join('?' for _ in _EHR_COLS)})",
            [row[c] for c in _EHR_COLS],
        )

    def project_day(self, today: str) -> set[str]:
        """Make today's kiosk schedules what the practice system says (at start, and when
        the date changes); returns the providers whose schedule changed."""
        rows = self.db.execute(
            f"SELECT {', '.join(_EHR_COLS)} FROM ehr_appointments"  # noqa: S608
            " WHERE substr(start, 1, 10) = ? OR id IN (SELECT id FROM appointments)",
            [today],
        ).fetchall()
        touched: set[str] = set()
        named: set[str] = set()
        for values in rows:
            row = dict(zip(_EHR_COLS, values, strict=True))
            touched |= self._place(row, today)
            if row["start"][:10] == today and row["provider_id"]:
                named.add(str(row["provider_id"]))
        touched |= named & {
            r[0] for r in self.db.execute("SELECT id FROM providers WHERE date != ?", [today])
        }
        self._bump(touched, today)
        return touched

    def code_of(self, appointment_id: str) -> str:
        row = self.db.execute("SELECT code FROM ehr_appointments WHERE id = ?", [appointment_id]).fetchone()
        return str(row[0]) if row else ""

    def appointment(self, appointment_id: str) -> dict[str, Any] | None:
        return self._row(appointment_id)

    def _row(self, appointment_id: str) -> dict[str, Any] | None:
        values = self.db.execute(
            f"SELECT {', '.join(_EHR_COLS)} FROM ehr_appointments WHERE id = ?",  # noqa: S608
            [appointment_id],
        ).fetchone()
        return None if values is None else dict(zip(_EHR_COLS, values, strict=True))

    def _merged(
        self,
        b: Booking,
        old: dict[str, Any] | None,
        provider: tuple[str, str] | None,
        *,
        when: str,
        control_id: str,
        at: str,
    ) -> dict[str, Any]:
        """The new row: what the message says; what a bare cancel leaves out, as it was."""
        row: dict[str, Any] = dict(old) if old else {c: "" for c in _EHR_COLS}
        given = {
            "placer_id": b.placer_id,
            "filler_id": b.filler_id,
            "start": b.start,
            "first_name": b.first_name,
            "last_name": b.last_name,
            "dob": b.dob,
            "mrn": b.mrn,
            "filler_status": b.filler_status,
            "echo": b.echo,
        }
        row.update({k: v for k, v in given.items() if v})
        if provider is not None:
            row["provider_id"], row["provider_name"] = provider
        row.update(
            source="fhir" if control_id.startswith(FHIR_PREFIX) else "hl7",
            id=b.id,
            state=b.state,
            duration_min=b.duration_min if (b.start or not old) else row["duration_min"],
            event_time=when,
            control_id=control_id,
            updated_at=at,
            code=row["code"] or self._new_code(),
        )
        return row

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(6))
            taken = self.db.execute(
                "SELECT 1 FROM ehr_appointments WHERE code = ?"
                " UNION SELECT 1 FROM appointments WHERE code = ?",
                [code, code],
            ).fetchone()
            if taken is None:
                return code

    def _place(self, row: dict[str, Any], today: str) -> set[str]:
        """Put one appointment where kiosks see it (or take it away); the providers touched."""
        touched: set[str] = set()
        wire = self._wire_row(row, today)
        held = self.db.execute(
            f"SELECT {', '.join(_APPT_COLS)} FROM appointments WHERE id = ?",  # noqa: S608
            [row["id"]],
        ).fetchone()
        if wire is not None and held is not None and held[8] == "checked_in" and wire["state"] == "booked":
            wire["state"] = (
                "checked_in"  # a kiosk checked the patient in; the practice has not said otherwise
            )
        if held is not None and wire is not None and tuple(held) == tuple(wire[c] for c in _APPT_COLS):
            return touched
        if held is not None:
            self.db.execute("DELETE FROM appointments WHERE id = ?", [row["id"]])
            touched.add(str(held[1]))
        if wire is not None:
            self.db.execute(
                f"INSERT INTO appointments ({', '.join(_APPT_COLS)})"  # noqa: S608
                f" VALUES ({', '.join('?' for _ in _APPT_COLS)})",
                [wire[c] for c in _APPT_COLS],
            )
            touched.add(str(wire["provider_id"]))
            self._provider(str(wire["provider_id"]), str(row["provider_name"]), today)
        return touched

    def _wire_row(self, row: dict[str, Any], today: str) -> dict[str, Any] | None:
        """The kiosks' row of an appointment; None when kiosks do not see it (deleted,
        another day, or an orphan: no booking has told the hub who the patient is)."""
        state = _WIRE_STATE.get(str(row["state"]))
        if state is None or orphan(row) or str(row["start"])[:10] != today:
            return None
        wire = {c: row[c] for c in _APPT_COLS}
        wire["state"] = state
        return wire

    def _provider(self, provider_id: str, name: str, today: str) -> None:
        held = self.db.execute("SELECT name, date FROM providers WHERE id = ?", [provider_id]).fetchone()
        if held is None:
            self.db.execute(
                "INSERT INTO providers (id, name, date, schedule_version) VALUES (?, ?, ?, 0)",
                [provider_id, name or provider_id, today],
            )
        elif held[0] == provider_id and name:
            self.db.execute("UPDATE providers SET name = ? WHERE id = ?", [name, provider_id])

    def _bump(self, providers: set[str], today: str) -> None:
        """A new schedule version for each provider touched, dated today (another day's
        rows of theirs leave: a schedule carries one day)."""
        for provider_id in providers:
            self.db.execute(
                "DELETE FROM appointments WHERE provider_id = ? AND substr(start, 1, 10) != ?",
                [provider_id, today],
            )
            self.db.execute(
                "UPDATE providers SET schedule_version = schedule_version + 1, date = ? WHERE id = ?",
                [today, provider_id],
            )

    # --- connections ------------------------------------------------------------------

    def open_connection(self, peer: str, direction: str, at: str) -> int:
        cur = self.db.execute(
            "INSERT INTO ehr_connections (peer, direction, opened_at) VALUES (?, ?, ?)", [peer, direction, at]
        )
        return int(cur.lastrowid or 0)

    def close_connection(self, connection_id: int, messages: int, at: str) -> None:
        self.db.execute(
            "UPDATE ehr_connections SET closed_at = ?, messages = ? WHERE id = ?",
            [at, messages, connection_id],
        )

    def close_all(self, at: str) -> None:
        """At start: connections a killed hub left open are closed."""
        self.db.execute("UPDATE ehr_connections SET closed_at = ? WHERE closed_at = ''", [at])
        self.db.execute(
            "DELETE FROM ehr_connections"
            " WHERE id NOT IN (SELECT id FROM ehr_connections ORDER BY id DESC LIMIT 200)"
        )

    # --- arrivals ---------------------------------------------------------------------

    def enqueue_arrivals(self, at: str) -> int:
        """An outbox row for each of today's check-ins of a practice-system appointment not
        sent yet (one per appointment, ever); how many were added."""
        marks = ", ".join("?" for _ in m.ARRIVED)
        rows = self.db.execute(
            "SELECT c.rowid, c.appointment_id, c.key, c.arrived_at FROM checkins c"  # noqa: S608
            " JOIN ehr_appointments e ON e.id = c.appointment_id"
            f" WHERE c.rowid > ? AND c.outcome IN ({marks}) AND substr(c.arrived_at, 1, 10) = ?"
            " ORDER BY c.rowid",
            [self._arrivals_seen, *m.ARRIVED, at[:10]],
        ).fetchall()
        added = 0
        for rowid, appointment_id, key, arrived_at in rows:
            control_id = "KA" + hashlib.sha256(f"{appointment_id}\x00{key}".encode()).hexdigest()[:18].upper()
            cur = self.db.execute(
                "INSERT OR IGNORE INTO ehr_outbound (appointment_id, checkin_key, control_id, created_at,"
                " arrived_at, state) VALUES (?, ?, ?, ?, ?, 'pending')",
                [appointment_id, key, control_id, at, arrived_at],
            )
            added += cur.rowcount
            self._arrivals_seen = max(self._arrivals_seen, int(rowid))
        return added

    def pending_arrivals(self, source: str = "hl7", limit: int = 50) -> list[Arrival]:
        """Arrivals not acknowledged yet of appointments from ``source`` (hl7, fhir)."""
        rows = self.db.execute(
            "SELECT o.appointment_id, o.control_id, o.created_at, o.arrived_at, o.attempts, e.echo, e.start"
            " FROM ehr_outbound o JOIN ehr_appointments e ON e.id = o.appointment_id"
            " WHERE o.state = 'pending' AND e.source = ? ORDER BY o.created_at, o.appointment_id LIMIT ?",
            [source, limit],
        ).fetchall()
        return [Arrival(*r) for r in rows]

    def arrival_attempt(self, appointment_id: str, code: str, error: str, at: str) -> None:
        acked = code in ("AA", "CA")
        self.db.execute(
            "UPDATE ehr_outbound SET attempts = attempts + 1, last_code = ?, last_error = ?,"
            " last_attempt_at = ?, state = ?, acked_at = ? WHERE appointment_id = ? AND state = 'pending'",
            [code, error[:200], at, "acked" if acked else "pending", at if acked else "", appointment_id],
        )


def state(db: Any, name: str) -> str:
    row = db.execute("SELECT value FROM ehr_state WHERE name = ?", [name]).fetchone()
    return str(row[0]) if row else ""


def set_state(db: Any, name: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO ehr_state (name, value) VALUES (?, ?)", [name, value])


def _unknown(refs: tuple[ProviderRef, ...]) -> str:
    ids = ", ".join(dict.fromkeys(ref.ehr_id for ref in refs))
    return f"unknown provider {ids[:80]} (map it in [hub.ehr] providers)"
