"""Schema migrations of the hub database. Append only."""

from __future__ import annotations

import sqlite_utils

from hub.audit import create_audit_table
from hub.ehr.schema import create_ehr_tables, rekey_ehr_messages
from hub.epoch_records import create_epochs_table
from hub.notify.channel_records import create_notify_channels
from hub.notify.ehr_consent import add_reply_notes, create_ehr_contacts
from hub.notify.schema import v9_notifications
from hub.phone_calls import create_phone_calls_table


def _v1_initial(db: sqlite_utils.Database) -> None:
    db.table("providers").create({"id": str, "name": str, "date": str, "schedule_version": int}, pk="id")
    db.table("appointments").create(
        {
            "id": str,
            "provider_id": str,
            "start": str,
            "duration_min": int,
            "first_name": str,
            "last_name": str,
            "dob": str,
            "code": str,
            "state": str,
        },
        pk="id",
    )
    db.table("appointments").create_index(["provider_id", "start"])
    status_cols = {
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
    }
    db.table("status").create(status_cols, pk="provider_id")
    db.table("status_history").create({"id": int, **status_cols, "request_key": str}, pk="id")
    db.table("checkins").create(
        {
            "key": str,
            "kiosk_id": str,
            "appointment_id": str,
            "provider_id": str,
            "arrived_at": str,
            "method": str,
            "outcome": str,
            "recorded_at": str,
        },
        pk="key",
    )
    db.table("requests").create(
        {
            "key": str,
            "kiosk_id": str,
            "provider_id": str,
            "state": str,
            "requested_by": str,
            "requested_at": str,
            "delay_min": int,
            "leaving_at": str,
            "reason": str,
            "role": str,
            "approved_by": str,
            "alternative_provider_id": str,
            "accepted": int,
            "result_reason": str,
            "status_version": int,
            "recorded_at": str,
        },
        pk="key",
    )
    db.table("kiosks").create(
        {
            "id": str,
            "online": int,
            "software_version": str,
            "availability_at": str,
            "last_seen": str,
            "display": str,
            "display_at": str,
            "health": str,
        },
        pk="id",
    )
    db.table("counters").create({"name": str, "value": int}, pk="name")


def _v2_staff_side(db: sqlite_utils.Database) -> None:
    create_audit_table(db)
    db.table("notices").create(
        {
            "id": str,
            "at": str,
            "provider_id": str,
            "status_version": int,
            "summary": str,
            "changed_by": str,
            "acked_by": str,
            "acked_at": str,
        },
        pk="id",
    )
    db.table("escalations").create(
        {
            "id": str,
            "at": str,
            "about": str,
            "provider_id": str,
            "status_version": int,
            "detail": str,
            "open": int,
            "resolved_at": str,
        },
        pk="id",
    )


def _v3_request_origin(db: sqlite_utils.Database) -> None:
    """Where a request came from, as a column (``hub.origin.RequestOrigin``'s values).

    Before, the practice's terminal was told by its reserved id "cli"; a kiosk that used
    that id was refused with a reason starting "only the practice's terminal".
    """
    db.execute("ALTER TABLE requests ADD COLUMN origin TEXT NOT NULL DEFAULT 'kiosk'")
    db.execute(
        "UPDATE requests SET origin = 'practice_cli'"
        " WHERE kiosk_id = 'cli' AND result_reason NOT LIKE 'only the practice%'"
    )


def _v4_display_screen(db: sqlite_utils.Database) -> None:
    """Whether a kiosk's ``display`` receipt came from a presented frame (1) or from its
    cache (0: headless, or a kiosk older than protocol 1.1); NULL until it sends one."""
    db.execute("ALTER TABLE kiosks ADD COLUMN display_screen INTEGER")


def _v5_web_accounts(db: sqlite_utils.Database) -> None:
    """The dashboard's sign-in: one scrypt password hash per staff id (``kiosk hub
    web-password``), and who acknowledged an escalation from the dashboard, and when."""
    db.table("web_accounts").create({"staff_id": str, "password_hash": str, "set_at": str}, pk="staff_id")
    db.execute("ALTER TABLE escalations ADD COLUMN acked_by TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE escalations ADD COLUMN acked_at TEXT NOT NULL DEFAULT ''")


def _v6_received_keys(db: sqlite_utils.Database) -> None:
    """Keys of kiosk messages recorded once that have no table keyed by them (staff events):
    kiosks now send again until the hub acknowledges, so a repeat must change nothing."""
    db.execute(
        "CREATE TABLE received_keys (key TEXT PRIMARY KEY, kind TEXT NOT NULL,"
        " kiosk_id TEXT NOT NULL, recorded_at TEXT NOT NULL)"
    )


def _v7_rejection_counts(db: sqlite_utils.Database) -> None:
    """Messages the hub rejected, counted by sender (the kiosk id of the topic, '' when the
    topic names none) and reason, so `kiosk hub health` shows them after a restart. Never
    the message itself: a rejected payload may carry patient data."""
    db.execute(
        "CREATE TABLE rejections ("
        " source TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL, last_at TEXT NOT NULL,"
        " PRIMARY KEY (source, reason))"
    )


def _v8_kiosk_flow(db: sqlite_utils.Database) -> None:
    """Each kiosk's check-in flow counts for a day, one row per kiosk process (``boot`` is
    its birth time): a kiosk restarted at noon starts counting from zero again, and the
    day's figure is the sum of its rows. Counts only, never a patient's data."""
    db.execute(
        "CREATE TABLE kiosk_flow ("
        " kiosk_id TEXT NOT NULL, day TEXT NOT NULL, boot TEXT NOT NULL, counts TEXT NOT NULL,"
        " PRIMARY KEY (kiosk_id, day, boot))"
    )


def _v11_revoked_kiosks(db: sqlite_utils.Database) -> None:
    """Kiosks revoked by `kiosk hub revoke`: the hub keeps their revocation retained on the
    broker (``published_at``: when it last published it)."""
    db.execute(
        "CREATE TABLE revoked_kiosks (kiosk_id TEXT PRIMARY KEY, revoked_at TEXT NOT NULL,"
        " reason TEXT NOT NULL, published_at TEXT)"
    )


HUB_MIGRATIONS = [
    _v1_initial,
    _v2_staff_side,
    _v3_request_origin,
    _v4_display_screen,
    _v5_web_accounts,
    _v6_received_keys,
    _v7_rejection_counts,
    _v8_kiosk_flow,
    v9_notifications,
    create_ehr_tables,  # v10: HL7 v2 SIU in, arrivals out (hub/ehr/)
    _v11_revoked_kiosks,
    create_epochs_table,  # v12: the store's epochs (hub/epoch_records.py), the epoch each kiosk displays
    rekey_ehr_messages,  # v13: an EHR message is keyed by sender, MSH-10 and type
    create_notify_channels,  # v14: the notify channels' health (hub/notify/channel_records.py)
    create_ehr_contacts,  # v15: contacts from the practice system (hub/notify/ehr_consent.py)
    add_reply_notes,  # v16: why a patient's reply was cleaned or refused (hub/notify/reply_check.py)
    create_phone_calls_table,  # v17: the phone line's call reports (hub/phone_calls.py)
]
