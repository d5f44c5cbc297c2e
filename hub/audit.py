"""The hub's append-only, hash-chained audit trail.

Each record carries the hash of the one before, so editing, removing or reordering any
record breaks the chain from there on; ``verify`` names the first record that does not
fit. SQLite triggers refuse UPDATE and DELETE as a second line of defence.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

GENESIS = "0" * 64
_COLUMNS = ("seq", "at", "actor", "role", "kiosk_id", "action", "detail", "prev_hash", "hash")


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: str
    actor: str
    role: str
    kiosk_id: str
    action: str
    detail: str  # JSON: ids and values, never patient names
    prev_hash: str
    hash: str


def record_hash(fields: list[object]) -> str:
    """SHA-256 over seq, at, actor, role, kiosk_id, action, detail and the previous hash."""
    body = json.dumps(fields, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def create_audit_table(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,"
        " role TEXT NOT NULL, kiosk_id TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL,"
        " prev_hash TEXT NOT NULL,"
        " hash TEXT NOT NULL)"
    )
    for op in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_no_{op.lower()} BEFORE {op} ON audit"
            " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


class AuditLog:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def append(
        self, at: str, actor: str, role: str, kiosk_id: str, action: str, **detail: Any
    ) -> AuditRecord:
        """Append one record (call inside the caller's transaction)."""
        last = self._db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        text = json.dumps(detail, sort_keys=True, ensure_ascii=False)
        digest = record_hash([seq, at, actor, role, kiosk_id, action, text, prev])
        record = AuditRecord(seq, at, actor, role, kiosk_id, action, text, prev, digest)
        self._db.execute(
            f"INSERT INTO audit ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * 9)})",  # noqa: S608
            list(record.__dict__.values()),
        )
        return record

    def records(self) -> list[AuditRecord]:
        rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM audit ORDER BY seq")  # noqa: S608
        return [AuditRecord(*r) for r in rows]

    def verify(self) -> tuple[bool, str]:
        """(True, summary) when the chain is whole; else (False, the first broken record)."""
        return verify_chain(self.records())

    def export_csv(self, path: Path) -> int:
        rows = self.records()
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(_COLUMNS)
            writer.writerows([list(r.__dict__.values()) for r in rows])
        return len(rows)


def verify_chain(records: list[AuditRecord]) -> tuple[bool, str]:
    prev = GENESIS
    for expected_seq, r in enumerate(records, start=1):
        if r.seq != expected_seq:
            return False, f"record {expected_seq} is missing (found {r.seq} next)"
        if r.prev_hash != prev:
            return False, f"record {r.seq} does not follow record {r.seq - 1}"
        if record_hash([r.seq, r.at, r.actor, r.role, r.kiosk_id, r.action, r.detail, r.prev_hash]) != r.hash:
            return False, f"record {r.seq} was altered"
        prev = r.hash
    return True, f"{len(records)} records, chain intact"
