"""Staff record a patient's opt-out (or opt-in) for them: asked at the desk or on the
phone, from ``kiosk hub notify-opt-out`` or the dashboard. By appointment id, since staff
never see a full address; every address the hub holds for that patient (the phone and
the e-mail) is opted out or in. Audited with the staff id and the appointment id, never
an address. Runs inside the caller's transaction."""

from __future__ import annotations

from hub.store import HubStore


class NoSuchPatient(LookupError):
    """The hub holds no address for this appointment."""


def addresses_of(store: HubStore, appointment_id: str) -> list[str]:
    found: list[str] = []
    rows = store.db.execute(
        "SELECT DISTINCT address FROM notify_outbox WHERE appointment_id = ? AND address != ''",
        [appointment_id],
    )
    found += [str(r[0]) for r in rows]
    contact = store.notify.contact(appointment_id)
    if contact is not None:
        found += [a for a in (contact.phone, contact.email) if a]
    return sorted(set(found))


def staff_opt(
    store: HubStore, appointment_id: str, *, opt_out: bool, staff_id: str, role: str, at: str
) -> int:
    """Opt the patient of ``appointment_id`` out (or back in); how many addresses changed."""
    addresses = addresses_of(store, appointment_id)
    if not addresses:
        raise NoSuchPatient(f"no phone or e-mail is known for appointment {appointment_id[:40]}")
    changed = dropped = 0
    for address in addresses:
        if opt_out:
            changed += int(not store.notify.opted_out(address))
            dropped += store.notify.opt_out(address, at, f"staff:{staff_id}")
        else:
            changed += int(store.notify.opt_in(address))
    action = "notify_opt_out" if opt_out else "notify_opt_in"
    store.audit.append(
        at, staff_id, role, "", action, appointment=appointment_id, by="staff", dropped=dropped
    )
    return changed


def mark_handled(store: HubStore, reply_id: int, staff_id: str, at: str) -> bool:
    cur = store.db.execute(
        "UPDATE notify_replies SET handled_by = ?, handled_at = ? WHERE id = ? AND handled_by = ''",
        [staff_id, at, reply_id],
    )
    if cur.rowcount == 1:
        store.audit.append(at, staff_id, "", "", "notify_reply_handled", reply=reply_id)
    return cur.rowcount == 1


__all__ = ["NoSuchPatient", "addresses_of", "mark_handled", "staff_opt"]
