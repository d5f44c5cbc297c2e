"""The hub store's epochs (``hub/epoch.py``): the SQL of the ``epochs`` table. The newest
row is the current epoch; the first is made with the store (migration v12)."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from core.clock import SystemClock
from hub.epoch import CREATED, new_epoch
from sync import messages as m
from sync.cipher import DatabaseError


def create_epochs_table(db: sqlite_utils.Database) -> None:
    """Migration v12: the store's epochs, its first one made now, and which epoch each
    kiosk's display receipt names."""
    db.execute(
        "CREATE TABLE epochs (n INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL,"
        " id TEXT NOT NULL, started_at TEXT NOT NULL, reason TEXT NOT NULL)"
    )
    db.execute("ALTER TABLE kiosks ADD COLUMN display_epoch TEXT")
    # To the millisecond: a store reinstalled within the same second as the one it replaces
    # (a restore script, a test) must still be born newer, not lose a coin toss on the id.
    now = SystemClock(precise=True).now()
    EpochRecords(db).add(new_epoch(now, m.Epoch()), now, CREATED)


class EpochRecords:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def current(self) -> m.Epoch:
        """The current epoch (``Epoch()`` in a store opened read-only before migration v12)."""
        try:
            row = self._db.execute("SELECT seq, id FROM epochs ORDER BY n DESC LIMIT 1").fetchone()
        except DatabaseError:
            return m.Epoch()
        return m.Epoch() if row is None else m.Epoch(int(row[0]), str(row[1]))

    def start(self, now: datetime, reason: str, above: m.Epoch | None = None) -> m.Epoch:
        """A new current epoch, newer than ours and than ``above`` (call inside a transaction)."""
        epoch = new_epoch(now, max(self.current(), above or m.Epoch()))
        self.add(epoch, now, reason)
        return epoch

    def add(self, epoch: m.Epoch, now: datetime, reason: str) -> None:
        self._db.execute(
            "INSERT INTO epochs (seq, id, started_at, reason) VALUES (?, ?, ?, ?)",
            [epoch.seq, epoch.id, now.isoformat(timespec="seconds"), reason],
        )

    def all(self) -> list[dict[str, object]]:
        rows = self._db.execute("SELECT seq, id, started_at, reason FROM epochs ORDER BY n").fetchall()
        return [{"epoch": str(m.Epoch(r[0], r[1])), "started_at": r[2], "reason": r[3]} for r in rows]

    def issued_status_version(self, provider_id: str) -> int:
        """The highest status version this store ever issued for ``provider_id``."""
        row = self._db.execute("SELECT max(version) FROM status_history WHERE provider_id = ?", [provider_id])
        return int(row.fetchone()[0] or 0)


__all__ = ["EpochRecords", "create_epochs_table"]
