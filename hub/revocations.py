"""The hub's record of revoked kiosks (``kiosk hub revoke``): the SQL of the
``revoked_kiosks`` table. The hub keeps each revocation retained on the broker
(``hub/revoked/<kiosk>``), republishing it on every connect; a kiosk that reads it erases
its cache and keys (``kiosk.enrollment``)."""

from __future__ import annotations

import sqlite_utils

from sync.revocation import KioskRevoked


class Revocations:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def revoke(self, kiosk_id: str, at: str, reason: str) -> bool:
        """Record a revocation (call inside a transaction); False when already revoked."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO revoked_kiosks (kiosk_id, revoked_at, reason) VALUES (?, ?, ?)",
            [kiosk_id, at, reason],
        )
        return cur.rowcount == 1

    def restore(self, kiosk_id: str) -> bool:
        """Enrolled again (provisioned anew): the revocation is dropped."""
        return self._db.execute("DELETE FROM revoked_kiosks WHERE kiosk_id = ?", [kiosk_id]).rowcount == 1

    def all(self) -> list[KioskRevoked]:
        rows = self._db.execute("SELECT kiosk_id, revoked_at, reason FROM revoked_kiosks ORDER BY kiosk_id")
        return [KioskRevoked(*row) for row in rows.fetchall()]

    def unpublished(self) -> list[KioskRevoked]:
        rows = self._db.execute(
            "SELECT kiosk_id, revoked_at, reason FROM revoked_kiosks WHERE published_at IS NULL"
        )
        return [KioskRevoked(*row) for row in rows.fetchall()]

    def mark_published(self, kiosk_ids: list[str], at: str) -> None:
        for kiosk_id in kiosk_ids:
            self._db.execute("UPDATE revoked_kiosks SET published_at = ? WHERE kiosk_id = ?", [at, kiosk_id])

    def published_at(self, kiosk_id: str) -> str | None:
        row = self._db.execute(
            "SELECT published_at FROM revoked_kiosks WHERE kiosk_id = ?", [kiosk_id]
        ).fetchone()
        return None if row is None else (row[0] or "")
