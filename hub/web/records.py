"""The dashboard's repository: web passwords, escalation acknowledgements, and the reads
``HubStore`` has no method for (notices with their acknowledgement, status history).

Every SQL statement of hub/web is here (a test looks); the rest asks these by name.
Writes run on the hub thread (``HubService.act``/``call``) or from ``kiosk hub web-password``
(its own short transaction; SQLite serialises it with the running hub).
"""

from __future__ import annotations

from hub.desk import Out
from hub.origin import DASHBOARD_ID
from hub.store import HubStore
from sync import staff_messages as sm
from sync.topics import TopicTree


def set_password(store: HubStore, staff_id: str, password_hash: str, at: str) -> None:
    store.db.table("web_accounts").upsert(
        {"staff_id": staff_id, "password_hash": password_hash, "set_at": at}, pk="staff_id"
    )


def password_hash(store: HubStore, staff_id: str) -> str:
    row = store.db.execute("SELECT password_hash FROM web_accounts WHERE staff_id = ?", [staff_id]).fetchone()
    return str(row[0]) if row else ""


def remove_password(store: HubStore, staff_id: str) -> bool:
    """Delete a member's dashboard password (their sessions end); False when there was none."""
    return store.db.execute("DELETE FROM web_accounts WHERE staff_id = ?", [staff_id]).rowcount > 0


def password_times(store: HubStore) -> dict[str, str]:
    """When each dashboard password was set (a change or a removal ends that member's sessions)."""
    return {str(r[0]): str(r[1]) for r in store.db.execute("SELECT staff_id, set_at FROM web_accounts")}


def stored_cost(store: HubStore) -> int:
    """The scrypt cost N of a stored password (the dummy hash costs the same); 0 when none."""
    row = store.db.execute("SELECT password_hash FROM web_accounts LIMIT 1").fetchone()
    try:
        return int(str(row[0]).split("$")[1]) if row else 0
    except (IndexError, ValueError):
        return 0


def open_escalation(store: HubStore, tree: TopicTree, alert: sm.Escalation) -> Out:
    """Open an escalation raised by the dashboard (an account under attack) and audit it."""
    store.staff.open_escalation(alert)
    store.audit.append(
        alert.at, "hub", "", "", "escalation", id=alert.id, about=alert.about, detail=alert.detail
    )
    out: Out = [(tree.alert(alert.id), alert, True)]
    return out


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


_NOTICE_COLUMNS = ("id", "at", "provider_id", "summary", "changed_by", "acked_by", "acked_at")


def notices(store: HubStore) -> list[dict[str, object]]:
    """Today's supervisor notices, newest first, with who acknowledged them and when."""
    sql = f"SELECT {', '.join(_NOTICE_COLUMNS)} FROM notices ORDER BY at DESC"  # noqa: S608 - fixed columns
    return [dict(zip(_NOTICE_COLUMNS, r, strict=True)) for r in store.db.execute(sql)]


def status_changes(store: HubStore, provider_id: str) -> list[tuple[str, str]]:
    """(changed_at, state) of each status a provider had today, in order."""
    rows = store.db.execute(
        "SELECT changed_at, state FROM status_history WHERE provider_id = ? ORDER BY version", [provider_id]
    )
    return [(str(r[0]), str(r[1])) for r in rows]
