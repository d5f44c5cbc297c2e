"""Each channel's health as the notify worker last saw it (``notify_channels``), so the
CLI, ``kiosk hub health`` and the dashboard, in other processes, can say "SMS down
since 07:51, 14 waiting". Written by the notifier once a second; read by anyone."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

WAITING_STATES = ("pending", "in_doubt", "sending")


def create_notify_channels(db: sqlite_utils.Database) -> None:
    """v14: the notify channels' health (hub/notify/channel_records.py)."""
    db.execute(
        "CREATE TABLE notify_channels (name TEXT PRIMARY KEY, state TEXT NOT NULL,"
        " down_since TEXT NOT NULL, reason TEXT NOT NULL, waiting INTEGER NOT NULL,"
        " retry_in_s REAL NOT NULL, updated_at TEXT NOT NULL, escalated_for TEXT NOT NULL DEFAULT '')"
    )


@dataclass(frozen=True)
class ChannelState:
    name: str  # smpp, smtp, webhook
    state: str  # up, down
    down_since: str  # ISO time the outage began ("" while up)
    reason: str  # what the carrier or the socket said, never an address
    waiting: int  # messages waiting for this channel (pending, in doubt)
    retry_in_s: float  # seconds until it is dialled again (0 while up)
    updated_at: str
    escalated_for: str = ""  # the outage (its down_since) staff were told about

    def describe(self) -> str:
        """ "smpp down since 07:51, 14 waiting (cannot connect)" or "smtp up, 0 waiting"."""
        if self.state == "up":
            return f"{self.name} up, {self.waiting} waiting"
        since = self.down_since[11:16] if len(self.down_since) >= 16 else self.down_since
        return f"{self.name} down since {since}, {self.waiting} waiting ({self.reason})"


class ChannelRecords:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def waiting(self, transport: str) -> int:
        marks = ", ".join("?" * len(WAITING_STATES))
        row = self._db.execute(
            f"SELECT count(*) FROM notify_outbox WHERE transport = ? AND state IN ({marks})",  # noqa: S608
            [transport, *WAITING_STATES],
        ).fetchone()
        return int(row[0])

    def save(self, state: ChannelState) -> None:
        self._db.execute(
            "INSERT INTO notify_channels (name, state, down_since, reason, waiting, retry_in_s, updated_at,"
            " escalated_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
            " state = excluded.state, down_since = excluded.down_since, reason = excluded.reason,"
            " waiting = excluded.waiting, retry_in_s = excluded.retry_in_s, updated_at = excluded.updated_at,"
            " escalated_for = excluded.escalated_for",
            [
                state.name,
                state.state,
                state.down_since,
                state.reason,
                state.waiting,
                round(state.retry_in_s, 2),
                state.updated_at,
                state.escalated_for,
            ],
        )

    def get(self, name: str) -> ChannelState | None:
        return next((s for s in self.all() if s.name == name), None)

    def all(self) -> list[ChannelState]:
        rows = self._db.execute(
            "SELECT name, state, down_since, reason, waiting, retry_in_s, updated_at, escalated_for"
            " FROM notify_channels ORDER BY name"
        )
        return [ChannelState(*r) for r in rows]


__all__ = ["ChannelRecords", "ChannelState", "create_notify_channels"]
