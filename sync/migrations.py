"""Schema migrations of the kiosk cache. Append only: a shipped migration never changes."""

from __future__ import annotations

import sqlite_utils


def _v1_initial(db: sqlite_utils.Database) -> None:
    db.table("providers").create(
        {"id": str, "name": str, "date": str, "schedule_version": int, "received_at": str}, pk="id"
    )
    db.table("appointments").create(
        {
            "id": str,
            "provider_id": str,
            "start": str,
            "duration_min": int,
            "first_name": str,
            "last_prefix": str,
            "dob": str,
            "code": str,
            "state": str,
        },
        pk="id",
    )
    db.table("appointments").create_index(["dob"])
    db.table("appointments").create_index(["code"])
    db.table("appointments").create_index(["provider_id", "start"])
    db.table("provider_status").create(
        {
            "provider_id": str,
            "version": int,
            "state": str,
            "delay_min": int,
            "leaving_at": str,
            "reason": str,
            "changed_by": str,
            "changed_at": str,
            "alternative_provider_id": str,
            "date": str,
            "received_at": str,
        },
        pk="provider_id",
    )
    db.execute(
        "CREATE TABLE outbox ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " key TEXT NOT NULL UNIQUE,"
        " kind TEXT NOT NULL,"
        " topic TEXT NOT NULL,"
        " payload BLOB NOT NULL,"
        " created_at TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0)"
    )
    db.table("counters").create({"name": str, "value": int}, pk="name")
    db.table("meta").create({"key": str, "value": str}, pk="key")


def _v2_outbox_keeps_sent_keys(db: sqlite_utils.Database) -> None:
    # Sent items stay (marked) until the daily purge, so a repeated idempotency key is
    # recognised even after its PUBACK.
    db.execute("ALTER TABLE outbox ADD COLUMN sent_at TEXT")
    db.execute("CREATE INDEX idx_outbox_unsent ON outbox (sent_at, seq)")


def _v3_outbox_waits_for_the_hub(db: sqlite_utils.Database) -> None:
    # A row now lives through three states: queued (sent_at NULL), sent (the broker's
    # PUBACK: sent_at set, payload kept) and acknowledged (the hub stored it: acked_at set,
    # payload cleared, the key remembered until the daily purge). Rows settled under v2
    # had their payload cleared on PUBACK and cannot be sent again: they count as
    # acknowledged, which is what v2 promised about them.
    db.execute("ALTER TABLE outbox ADD COLUMN acked_at TEXT")
    db.execute("UPDATE outbox SET acked_at = sent_at WHERE sent_at IS NOT NULL")
    db.execute("CREATE INDEX idx_outbox_unacked ON outbox (acked_at, seq)")


def _v4_epochs(db: sqlite_utils.Database) -> None:
    # The hub epoch each provider's schedule came under (docs/protocol.md, "Epochs"): a
    # schedule of an older epoch is replaced by the followed epoch's whatever its version.
    # The followed epoch itself is in meta ("epoch"); '' is "before epochs".
    db.execute("ALTER TABLE providers ADD COLUMN epoch TEXT NOT NULL DEFAULT ''")


KIOSK_MIGRATIONS = [_v1_initial, _v2_outbox_keeps_sent_keys, _v3_outbox_waits_for_the_hub, _v4_epochs]
