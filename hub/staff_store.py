"""The staff side's rows: supervisor notices and escalations (the audit trail has its own
class, ``hub.audit.AuditLog``). Reached as ``HubStore.staff``; every statement on these
tables is here. Writes run inside the caller's ``HubStore.transaction()``."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from hub.escalation import OpenNotice
from sync import staff_messages as sm

_NOTICE_COLUMNS = "id, at, provider_id, status_version, summary, changed_by, acked_by"


class StaffRecords:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    # --- supervisor notices -----------------------------------------------------------

    def add_notice(self, notice: sm.SupervisorNotice) -> None:
        """Store (or replace) a notice, not yet acknowledged."""
        self._db.table("notices").insert({**notice.__dict__, "acked_at": ""}, replace=True)

    def ack_notice(self, notice_id: str, by: str, at: str) -> bool:
        """Mark acknowledged; False when the notice is unknown or was acknowledged before."""
        cur = self._db.execute(
            "UPDATE notices SET acked_by = ?, acked_at = ? WHERE id = ? AND acked_by = ''",
            [by, at, notice_id],
        )
        return cur.rowcount == 1

    def notice(self, notice_id: str) -> sm.SupervisorNotice | None:
        row = self._db.execute(
            f"SELECT {_NOTICE_COLUMNS} FROM notices WHERE id = ?",  # noqa: S608 - fixed columns
            [notice_id],
        ).fetchone()
        return sm.SupervisorNotice(*row) if row else None

    def unacked_notices(self) -> list[OpenNotice]:
        rows = self._db.execute(
            "SELECT id, at, provider_id, status_version FROM notices WHERE acked_by = '' ORDER BY at, id"
        )
        return [OpenNotice(r[0], r[1], r[2], r[3]) for r in rows]

    # --- escalations ------------------------------------------------------------------

    def open_escalation(self, alert: sm.Escalation) -> None:
        self._db.table("escalations").insert({**alert.__dict__, "open": 1, "resolved_at": ""}, replace=True)

    def resolve_escalation(self, esc_id: str, at: str) -> sm.Escalation | None:
        """Close an open escalation; returns it as now closed, or None when none is open."""
        row = self._db.execute(
            "SELECT at, about, provider_id, status_version, detail FROM escalations"
            " WHERE id = ? AND open = 1",
            [esc_id],
        ).fetchone()
        if row is None:
            return None
        self._db.execute("UPDATE escalations SET open = 0, resolved_at = ? WHERE id = ?", [at, esc_id])
        return sm.Escalation(esc_id, row[0], row[1], False, row[2], row[3], row[4])

    def open_escalation_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM escalations WHERE open = 1")}

    def escalation_known(self, esc_id: str) -> bool:
        """Opened once (open or resolved): an escalation is raised once, not again after resolution."""
        return self._db.execute("SELECT 1 FROM escalations WHERE id = ?", [esc_id]).fetchone() is not None

    def escalations(self, only_open: bool = True) -> list[dict[str, Any]]:
        where = "open = 1" if only_open else None
        return list(self._db.table("escalations").rows_where(where, order_by="at"))
