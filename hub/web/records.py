"""The dashboard's rows in the hub database: web passwords and escalation acknowledgements.

Every statement on ``web_accounts`` and on the escalations' ``acked_*`` columns is here.
Writes run on the hub thread (``HubService.act``/``call``) or from ``kiosk hub web-password``
(its own short transaction; SQLite serialises it with the running hub).
"""

from __future__ import annotations

import sqlite_utils

from hub.desk import Out
from hub.origin import DASHBOARD_ID
from hub.store import HubStore
from sync import staff_messages as sm
from sync.topics import TopicTree


def set_password(db: sqlite_utils.Database, staff_id: str, password_hash: str, at: str) -> None:
    db.table("web_accounts").upsert(
        {"staff_id": staff_id, "password_hash": password_hash, "set_at": at}, pk="staff_id"
    )


def password_hash(db: sqlite_utils.Database, staff_id: str) -> str:
    row = db.execute("SELECT password_hash FROM web_accounts WHERE staff_id = ?", [staff_id]).fetchone()
    return str(row[0]) if row else ""


def ack_escalation(store: HubStore, tree: TopicTree, esc_id: str, *, by: str, role: str, at: str) -> Out:
    """Record who took an open escalation and close it (it is not raised again); the closed
    alert is republished so kiosks drop it. Nothing when it is not open."""
    closed = store.staff.resolve_escalation(esc_id, at)
    if closed is None:
        return []
    store.db.execute("UPDATE escalations SET acked_by = ?, acked_at = ? WHERE id = ?", [by, at, esc_id])
    store.audit.append(at, by, role, "", "escalation_ack", origin="dashboard", id=esc_id)
    out: Out = [(tree.alert(esc_id), closed, True)]
    return out


def notice_ack(key: str, notice_id: str, by: str, at: str) -> sm.NoticeAck:
    return sm.NoticeAck(key, DASHBOARD_ID, notice_id, by, at)
