"""The durable outbox: a check-in, request, staff event or notice acknowledgement is
committed here before it is published, and leaves only when the hub says it stored it.

A row goes through three states (see docs/protocol.md, "The kiosk's outbox"):

* **queued** (``sent_at`` NULL): committed, not yet accepted by the broker;
* **sent** (``sent_at`` set): the broker's PUBACK came; the payload is kept, because a
  broker that crashes or loses power before it hands the message on forgets it;
* **acknowledged** (``acked_at`` set): the hub committed it and said so. The payload is
  cleared; the key stays until the daily purge so a repeated key is still recognised.
  A check-in keeps its payload (ids and times, no name) until that purge too: a hub
  restored from a backup may have lost it, and when the kiosk follows the hub's new epoch
  it owes it again (``owe_again``; the hub records a key once).

Queued and sent rows are published again after an outage or a restart; the hub's
idempotency keys make that exactly once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from core.errors import StorageError
from sync.cipher import DatabaseError
from sync.sqlite import durable, transaction

_COLUMNS = "seq, key, kind, topic, payload, created_at, attempts"
_IN_CHUNK = 500
# The kind whose payload is kept after the hub's acknowledgement (until the daily purge).
KEPT_AFTER_ACK = "checkin"  # bound parameters per statement, well under SQLite's limit


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    key: str
    kind: str
    topic: str
    payload: bytes
    created_at: str
    attempts: int


@dataclass(frozen=True)
class OutboxDepth:
    """What the kiosk still owes the hub."""

    queued: int  # not yet accepted by the broker
    sent: int  # accepted by the broker, not yet acknowledged by the hub

    @property
    def unacknowledged(self) -> int:
        return self.queued + self.sent


@dataclass(frozen=True)
class OutboxReport:
    """The outbox as health reports it: ages in seconds at ``now``, -1 when no such row."""

    queued: int
    sent: int
    oldest_s: float
    oldest_checkin_s: float
    oldest_checkin_seq: int  # names the stuck check-in (one escalation each)

    @property
    def unacknowledged(self) -> int:
        return self.queued + self.sent


@dataclass(frozen=True)
class Oldest:
    """The oldest row the hub has not acknowledged."""

    seq: int
    kind: str
    created_at: str


class Outbox:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def add(self, key: str, kind: str, topic: str, payload: bytes, created_at: str) -> bool:
        """Commit one item (synced to disk); False when ``key`` is already in the outbox."""
        try:
            with durable(self._db):
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO outbox (key, kind, topic, payload, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [key, kind, topic, payload, created_at],
                )
        except DatabaseError as exc:
            raise StorageError(f"outbox: {exc}") from exc
        return cur.rowcount == 1

    def pending(self, after_seq: int = 0, limit: int = 500) -> list[OutboxItem]:
        """Rows the hub has not acknowledged (queued and sent), in order."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM outbox"  # noqa: S608 - fixed columns
            " WHERE acked_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
            [after_seq, limit],
        )
        return [OutboxItem(*r) for r in rows.fetchall()]

    def unacknowledged(self, seqs: Sequence[int]) -> list[OutboxItem]:
        """Those of ``seqs`` the hub has still not acknowledged, in order."""
        out: list[OutboxItem] = []
        for chunk in _chunks(list(seqs)):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM outbox"  # noqa: S608 - fixed columns, bound values
                f" WHERE acked_at IS NULL AND seq IN ({marks})",
                chunk,
            )
            out += [OutboxItem(*r) for r in rows.fetchall()]
        return sorted(out, key=lambda item: item.seq)

    def mark_attempt(self, seqs: list[int]) -> None:
        if seqs:
            with transaction(self._db):
                self._db.conn.executemany(
                    "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", [(s,) for s in seqs]
                )

    def mark_sent(self, seqs: list[int], sent_at: str) -> None:
        """The broker accepted these (PUBACK): queued → sent. They stay until the hub
        acknowledges them; the payload is kept for sending again."""
        if seqs:
            with transaction(self._db):
                self._db.conn.executemany(
                    "UPDATE outbox SET sent_at = coalesce(sent_at, ?) WHERE seq = ? AND acked_at IS NULL",
                    [(sent_at, s) for s in seqs],
                )

    def acknowledge(self, keys: Collection[str], acked_at: str, kinds: Collection[str]) -> list[OutboxItem]:
        """The hub stored these: rows of ``kinds`` named by ``keys`` leave the queue (one
        commit). Returns the rows acknowledged now (payload as it was), not those
        acknowledged before or unknown."""
        found: list[OutboxItem] = []
        with transaction(self._db):
            for chunk in _chunks(list(keys)):
                marks = ",".join("?" * len(chunk))
                # By key alone, so SQLite takes the key's unique index (given "acked_at IS
                # NULL" it would walk every unacknowledged row instead: slow in a backlog).
                rows = self._db.execute(
                    f"SELECT {_COLUMNS}, acked_at FROM outbox WHERE key IN ({marks})",  # noqa: S608
                    chunk,
                )
                found += [OutboxItem(*r[:-1]) for r in rows.fetchall() if r[-1] is None and r[2] in kinds]
            self._db.conn.executemany(
                "UPDATE outbox SET acked_at = ?, sent_at = coalesce(sent_at, ?),"
                " payload = CASE WHEN kind = ? THEN payload ELSE x'' END WHERE seq = ?",
                [(acked_at, acked_at, KEPT_AFTER_ACK, item.seq) for item in found],
            )
        return found

    def owe_again(self) -> int:
        """Every acknowledged row that kept its payload (today's check-ins) is queued again:
        the hub that acknowledged it may be gone (restored from a backup, reinstalled). The
        hub records each key once, so what it still holds is only acknowledged again."""
        with transaction(self._db):
            cur = self._db.execute(
                "UPDATE outbox SET acked_at = NULL, sent_at = NULL"
                " WHERE acked_at IS NOT NULL AND kind = ? AND length(payload) > 0",
                [KEPT_AFTER_ACK],
            )
        return int(cur.rowcount)

    def forget_acknowledged_before(self, stamp: str) -> int:
        cur = self._db.execute("DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?", [stamp])
        return cur.rowcount

    def depth(self) -> int:
        """Rows the hub has not acknowledged (queued + sent)."""
        return self.depths().unacknowledged

    def depths(self) -> OutboxDepth:
        row = self._db.execute(
            "SELECT count(*), count(sent_at) FROM outbox WHERE acked_at IS NULL"
        ).fetchone()
        total, sent = int(row[0]), int(row[1])
        return OutboxDepth(queued=total - sent, sent=sent)

    def oldest_unacknowledged(self, kind: str | None = None) -> Oldest | None:
        where, params = ("AND kind = ?", [kind]) if kind else ("", [])
        row = self._db.execute(
            f"SELECT seq, kind, created_at FROM outbox WHERE acked_at IS NULL {where}"  # noqa: S608
            " ORDER BY seq LIMIT 1",
            params,
        ).fetchone()
        return None if row is None else Oldest(*row)

    def report(self, now: datetime) -> OutboxReport:
        depths = self.depths()
        oldest = self.oldest_unacknowledged()
        checkin = self.oldest_unacknowledged("checkin")
        return OutboxReport(
            depths.queued,
            depths.sent,
            age_s(oldest.created_at, now) if oldest else -1.0,
            age_s(checkin.created_at, now) if checkin else -1.0,
            checkin.seq if checkin else 0,
        )

    def has(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM outbox WHERE key = ?", [key]).fetchone() is not None

    def pending_by_key(self, key: str) -> OutboxItem | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE key = ? AND acked_at IS NULL",  # noqa: S608
            [key],
        ).fetchone()
        return None if row is None else OutboxItem(*row)


def age_s(stamp: str, now: datetime) -> float:
    """Seconds from a stored local ISO stamp to ``now`` (0 for a future or unreadable stamp)."""
    try:
        return max(0.0, (now - datetime.fromisoformat(stamp)).total_seconds())
    except ValueError:
        return 0.0


def _chunks(values: list[object]) -> list[list[object]]:
    return [values[i : i + _IN_CHUNK] for i in range(0, len(values), _IN_CHUNK)]
