"""The notification tables (migration 8 of the hub database, ``hub.migrations``)."""

from __future__ import annotations

import sqlite_utils


def v9_notifications(db: sqlite_utils.Database) -> None:
    """Patient contacts (hub-only), the durable notification outbox keyed by (appointment,
    change), receipts, replies, opt-outs and the planner's cursor over status_history."""
    db.execute(
        "CREATE TABLE patient_contacts (appointment_id TEXT PRIMARY KEY, phone TEXT NOT NULL,"
        " email TEXT NOT NULL, consent INTEGER NOT NULL, channel TEXT NOT NULL, language TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE notify_outbox ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " key TEXT NOT NULL UNIQUE,"  # appointment_id/change
        " appointment_id TEXT NOT NULL, change TEXT NOT NULL, provider_id TEXT NOT NULL,"
        " status_version INTEGER NOT NULL, appointment_start TEXT NOT NULL,"
        " kind TEXT NOT NULL, delay_min INTEGER NOT NULL, leaving_at TEXT NOT NULL,"
        " channel TEXT NOT NULL, transport TEXT NOT NULL, address TEXT NOT NULL,"
        " language TEXT NOT NULL, subject TEXT NOT NULL, text TEXT NOT NULL,"
        " state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, due_at TEXT NOT NULL,"
        " created_at TEXT NOT NULL, sent_at TEXT NOT NULL DEFAULT '',"
        " message_id TEXT NOT NULL DEFAULT '', receipt TEXT NOT NULL DEFAULT '',"
        " receipt_at TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',"
        " in_doubt_since TEXT NOT NULL DEFAULT '', needs_answer INTEGER NOT NULL DEFAULT 0,"
        " answer TEXT NOT NULL DEFAULT '', escalate TEXT NOT NULL DEFAULT '',"
        " escalated INTEGER NOT NULL DEFAULT 0,"
        " UNIQUE (appointment_id, change))"
    )
    db.execute("CREATE INDEX notify_outbox_due ON notify_outbox (state, due_at)")
    db.execute("CREATE INDEX notify_outbox_address ON notify_outbox (address, state)")
    db.execute("CREATE INDEX notify_outbox_message ON notify_outbox (message_id)")
    db.execute("CREATE INDEX notify_outbox_appointment ON notify_outbox (appointment_id, seq)")
    db.execute(
        "CREATE TABLE notify_receipts (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
        " outbox_key TEXT NOT NULL, message_id TEXT NOT NULL, status TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE notify_replies (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
        " channel TEXT NOT NULL, address TEXT NOT NULL, outbox_key TEXT NOT NULL,"
        " appointment_id TEXT NOT NULL, meaning TEXT NOT NULL, text TEXT NOT NULL,"
        " handled_by TEXT NOT NULL DEFAULT '', handled_at TEXT NOT NULL DEFAULT '')"
    )
    db.execute("CREATE TABLE notify_optouts (address TEXT PRIMARY KEY, at TEXT NOT NULL, via TEXT NOT NULL)")
    db.execute("CREATE TABLE notify_cursor (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
