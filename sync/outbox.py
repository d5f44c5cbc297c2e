"""The durable outbox: a check-in or request is committed here before it is published
and leaves only when the broker acknowledges it (PUBACK). After an outage or a restart
every row is published again; the hub's idempotency keys make that exactly once."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import sqlite_utils

from core.errors import StorageError
from sync.sqlite import durable, transaction


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    key: str
    kind: str
    topic: str
    payload: bytes
    created_at: str
    attempts: int


class Outbox:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def add(self, key: str, kind: str, topic: str, payload: bytes, created_at: str) -> bool:
        """Commit one item; False when an item with ``key`` is already queued."""
        try:
            with durable(self._db):
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO outbox (key, kind, topic, payload, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [key, kind, topic, payload, created_at],
                )
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"outbox: {exc}") from exc
        return cur.rowcount == 1

    def pending(self, after_seq: int = 0, limit: int = 500) -> list[OutboxItem]:
        rows = self._db.execute(
            "SELECT seq, key, kind, topic, payload, created_at, attempts FROM outbox"
            " WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
            [after_seq, limit],
        )
        return [OutboxItem(*r) for r in rows.fetchall()]

    def mark_attempt(self, seqs: list[int]) -> None:
        if seqs:
            with transaction(self._db):
                self._db.conn.executemany(
                    "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", [(s,) for s in seqs]
                )

    def mark_sent(self, seqs: list[int], sent_at: str) -> None:
        """The broker acknowledged these: they leave the queue (the key is remembered)."""
        if seqs:
            with transaction(self._db):
                self._db.conn.executemany(
                    "UPDATE outbox SET sent_at = ?, payload = x'' WHERE seq = ?", [(sent_at, s) for s in seqs]
                )

    def forget_sent_before(self, stamp: str) -> int:
        cur = self._db.execute("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", [stamp])
        return cur.rowcount

    def depth(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0])

    def has(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM outbox WHERE key = ?", [key]).fetchone() is not None

    def pending_by_key(self, key: str) -> OutboxItem | None:
        row = self._db.execute(
            "SELECT seq, key, kind, topic, payload, created_at, attempts FROM outbox"
            " WHERE key = ? AND sent_at IS NULL",
            [key],
        ).fetchone()
        return None if row is None else OutboxItem(*row)
