"""The EHR interface's tables (a hub migration; ``hub.migrations`` lists it)."""

from __future__ import annotations

import sqlite_utils


def create_ehr_tables(db: sqlite_utils.Database) -> None:
    """Messages received (raw, by sender and MSH-10, purged after ``keep_days``), the
    appointments as the practice system states them (every day, with what stays at the
    hub: full name, MRN, the segments an arrival echoes), the arrivals outbox, and the
    MLLP connections ``kiosk hub ehr status`` shows; ``source`` says which interface
    (``hl7`` or ``fhir``) an appointment came from, and so where its arrival goes."""
    db.execute(
        "CREATE TABLE ehr_messages ("
        " sender TEXT NOT NULL, control_id TEXT NOT NULL, received_at TEXT NOT NULL,"
        " sent_at TEXT NOT NULL, type TEXT NOT NULL, version TEXT NOT NULL, outcome TEXT NOT NULL,"
        " effect TEXT NOT NULL, reason TEXT NOT NULL, appointment_id TEXT NOT NULL, raw TEXT NOT NULL,"
        " PRIMARY KEY (sender, control_id))"
    )
    db.execute("CREATE INDEX ehr_messages_received ON ehr_messages (received_at)")
    db.execute(
        "CREATE TABLE ehr_appointments ("
        " id TEXT PRIMARY KEY, placer_id TEXT NOT NULL, filler_id TEXT NOT NULL,"
        " provider_id TEXT NOT NULL, provider_name TEXT NOT NULL, start TEXT NOT NULL,"
        " duration_min INTEGER NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL,"
        " dob TEXT NOT NULL, mrn TEXT NOT NULL, state TEXT NOT NULL, filler_status TEXT NOT NULL,"
        " code TEXT NOT NULL UNIQUE, event_time TEXT NOT NULL, control_id TEXT NOT NULL,"
        " echo TEXT NOT NULL, updated_at TEXT NOT NULL, source TEXT NOT NULL DEFAULT 'hl7')"
    )
    db.execute("CREATE INDEX ehr_appointments_start ON ehr_appointments (start)")
    db.execute(
        "CREATE TABLE ehr_outbound ("
        " appointment_id TEXT PRIMARY KEY, checkin_key TEXT NOT NULL, control_id TEXT NOT NULL UNIQUE,"
        " created_at TEXT NOT NULL, arrived_at TEXT NOT NULL, state TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0, last_code TEXT NOT NULL DEFAULT '',"
        " last_error TEXT NOT NULL DEFAULT '', last_attempt_at TEXT NOT NULL DEFAULT '',"
        " acked_at TEXT NOT NULL DEFAULT '')"
    )
    db.execute("CREATE INDEX ehr_outbound_state ON ehr_outbound (state, created_at)")
    db.execute("CREATE TABLE ehr_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")  # FHIR watermark
    db.execute(
        "CREATE TABLE ehr_connections ("
        " id INTEGER PRIMARY KEY, peer TEXT NOT NULL, direction TEXT NOT NULL, opened_at TEXT NOT NULL,"
        " closed_at TEXT NOT NULL DEFAULT '', messages INTEGER NOT NULL DEFAULT 0)"
    )


def rekey_ehr_messages(db: sqlite_utils.Database) -> None:
    """v13: a repeat is the same sender, MSH-10 and message type (issue 28): an ADT that
    reuses an accepted SIU's MSH-10 is another message (refused AR), stored beside it."""
    db.execute("ALTER TABLE ehr_messages RENAME TO ehr_messages_v10")
    db.execute("DROP INDEX IF EXISTS ehr_messages_received")
    db.execute(
        "CREATE TABLE ehr_messages ("
        " sender TEXT NOT NULL, control_id TEXT NOT NULL, received_at TEXT NOT NULL,"
        " sent_at TEXT NOT NULL, type TEXT NOT NULL, version TEXT NOT NULL, outcome TEXT NOT NULL,"
        " effect TEXT NOT NULL, reason TEXT NOT NULL, appointment_id TEXT NOT NULL, raw TEXT NOT NULL,"
        " PRIMARY KEY (sender, control_id, type))"
    )
    db.execute("CREATE INDEX ehr_messages_received ON ehr_messages (received_at)")
    db.execute("INSERT INTO ehr_messages SELECT * FROM ehr_messages_v10")
    db.execute("DROP TABLE ehr_messages_v10")
