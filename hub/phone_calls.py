"""What the hub keeps of the phone line's calls, for the dashboard's calls card: one row per
call report (outcome kinds and length, never a number), counted per day; and each callback
request opened as a ``callback`` escalation, so it waits on the Escalations page (and the
pager topic) until someone acknowledges it. The escalation carries the line's call id and
time only: the number stays in the audit record, where staff look it up
(``kiosk hub audit export``), never on a page or a kiosk.

A repository module (its tables, read and written here only: tests/hub/test_store.py).
Called on the hub worker inside the batch's transaction (``hub.kiosk_messages``)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlite_utils

from sync import staff_messages as sm
from sync.call_report import OUTCOMES, BadCallReport, CallOutcome, parse_detail

if TYPE_CHECKING:  # hub.store imports this module's table through hub.migrations
    from hub.store import HubStore

log = logging.getLogger(__name__)

CALLBACK_PREFIX = "callback-"
_CALL_ID = re.compile(r"\bc-[0-9a-f]{8}\b")  # the line's own call id (phone.line)


def create_phone_calls_table(db: sqlite_utils.Database) -> None:
    """v17: the phone line's call reports (hub/phone_calls.py): outcome kinds only."""
    db.execute(
        "CREATE TABLE phone_calls (key TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, day TEXT NOT NULL,"
        " ended_at TEXT NOT NULL, outcomes TEXT NOT NULL, seconds INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX phone_calls_day ON phone_calls (day)")


def record_call_report(store: HubStore, event: sm.StaffEvent, stats: Counter[str]) -> bool:
    """Keep one call report (the caller has already dropped repeats by key); False, counted
    and logged without the detail, when the detail is not a call report."""
    try:
        call = parse_detail(event.detail)
    except BadCallReport as exc:
        stats["call_reports_refused"] += 1
        log.warning("call report refused", extra={"kiosk": event.kiosk_id, "reason": str(exc)})
        return False
    store.db.table("phone_calls").insert(
        {
            "key": event.key,
            "kiosk_id": event.kiosk_id,
            "day": event.at[:10],
            "ended_at": event.at,
            "outcomes": ",".join(call.outcomes),
            "seconds": call.seconds,
        },
        ignore=True,
    )
    stats["call_reports"] += 1
    return True


def callback_escalation(event: sm.StaffEvent) -> sm.Escalation:
    """The escalation a callback request opens: who asked is the line's call id, no number."""
    found = _CALL_ID.search(event.detail)
    call = f" (call {found.group(0)})" if found else ""
    return sm.Escalation(
        f"{CALLBACK_PREFIX}{event.kiosk_id}-{event.key[:8]}",
        event.at,
        "callback",
        True,
        detail=f"a caller to {event.kiosk_id} asked for a call back{call}; the number is in the audit trail",
    )


@dataclass(frozen=True)
class CallDay:
    """One day of calls as the card shows it."""

    calls: int = 0
    seconds: int = 0
    outcomes: dict[CallOutcome, int] = field(default_factory=dict)  # every kind, 0 included
    callbacks_waiting: int = 0  # callback escalations still open (any day: they wait until acknowledged)
    callbacks_today: int = 0


def call_day(store: HubStore, day: str) -> CallDay:
    counts: Counter[str] = Counter()
    calls = seconds = 0
    for outcomes, length in store.db.execute(
        "SELECT outcomes, seconds FROM phone_calls WHERE day = ?", [day]
    ).fetchall():
        calls += 1
        seconds += int(length)
        counts.update(o for o in str(outcomes).split(",") if o)
    waiting, today = store.db.execute(
        "SELECT COALESCE(SUM(open = 1), 0), COALESCE(SUM(substr(at, 1, 10) = ?), 0)"
        " FROM escalations WHERE about = 'callback'",
        [day],
    ).fetchone()
    return CallDay(calls, seconds, {o: counts.get(o, 0) for o in OUTCOMES}, int(waiting), int(today))


__all__ = [
    "CALLBACK_PREFIX",
    "CallDay",
    "call_day",
    "callback_escalation",
    "create_phone_calls_table",
    "record_call_report",
]
