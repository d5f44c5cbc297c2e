"""What the hub records of kiosks and republishes as its own, as plain functions over the
store (on the hub worker, inside the caller's transaction where it writes)."""

from __future__ import annotations

from collections import Counter

from hub.desk import Out, StaffDesk
from hub.origin import RequestOrigin
from hub.phone_calls import callback_escalation, record_call_report
from hub.queries import answer_query
from hub.status_requests import HubNotOpen
from hub.store import HubStore
from sync import messages as m
from sync import staff_messages as sm
from sync.query_messages import HubQuery
from sync.topics import TopicTree
from sync.wire import Message


def record_kiosk_message(
    store: HubStore,
    desk: StaffDesk | None,
    stats: Counter[str],
    msg: Message,
    *,
    now: str,
    origin: RequestOrigin,
) -> Out:
    """Presence, display, health and staff messages, and the practice terminal's questions
    (inside the batch's transaction)."""
    if desk is None:
        raise HubNotOpen()
    if isinstance(msg, m.KioskAvailability):
        store.kiosk_availability(msg, now)
    elif isinstance(msg, m.DisplayAck):
        store.kiosk_display(msg, now)
    elif isinstance(msg, m.KioskHealth):
        store.kiosk_health(msg, now)
    elif isinstance(msg, sm.StaffEvent):
        if not store.remember_key(msg.key, msg.KIND, msg.kiosk_id, now):
            stats["staff_event_duplicates"] += 1  # sent again before our ack reached it
            return []
        if msg.action == "call_report":  # the dashboard's calls card, not the audit trail
            record_call_report(store, msg, stats)
            return []
        out = desk.on_staff_event(msg)
        if msg.action == "callback_request" and not msg.actor:  # waits until acknowledged
            out += desk.open_new([callback_escalation(msg)])
        return out
    if isinstance(msg, sm.NoticeAck):
        return desk.on_notice_ack(msg, origin)
    if isinstance(msg, HubQuery):
        return answer_query(store, desk.tree, stats, msg, origin)
    return []


def retained_state(store: HubStore, tree: TopicTree) -> Out:
    """The hub's retained schedules, statuses and open notices (revocations and its own
    availability are the service's), as a connect republishes them."""
    out: Out = []
    for provider_id in store.provider_ids():
        schedule = store.wire_schedule(provider_id)
        if schedule is not None:
            out.append((tree.schedule(provider_id), schedule, True))
        status = store.status(provider_id)
        if status is not None:
            out.append((tree.status(provider_id), status, True))
    for open_notice in store.staff.unacked_notices():  # supervisors must still see these
        notice = store.staff.notice(open_notice.id)
        if notice is not None:
            out.append((tree.notice(notice.id), notice, True))
    return out


__all__ = ["record_kiosk_message", "retained_state"]
