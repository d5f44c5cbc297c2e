"""What each page shows, read from the hub's database: plain dicts for the templates.

Patients appear as first name and last initial only; no full name, phone number or date
of birth leaves this module (the appointments' ``dob`` and ``last_name`` are never read
into a view).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from domain.impact import status_impact
from domain.metrics import TIME_BUCKETS_S
from hub.day_plan import HubAppointment
from hub.epoch import parse_epoch
from hub.phone_calls import call_day
from hub.store import HubStore
from hub.web import records
from sync import messages as m
from sync.schedule_rows import SCHEDULE_ROW

# How a check-in method reads on the page.
METHODS = {"dob": "touch", "code": "code", "qr": "QR", "voice": "voice", "staff": "staff"}
STATES = {"on_time": "on time", "late": "late", "out": "out today", "leaving_early": "leaving early"}
NO_SHOW_AFTER_MIN = 15


def patient_label(appt: HubAppointment) -> str:
    """First name and last initial: all a page may show of a patient."""
    initial = next((ch for ch in appt.last_name if ch.isalpha()), "")
    return f"{appt.first_name} {initial.upper()}." if initial else appt.first_name


def _clock(stamp: str) -> str:
    return stamp[11:16] if len(stamp) >= 16 else stamp


def board(store: HubStore, now: datetime) -> list[dict[str, Any]]:
    names = store.providers()
    receipts = _receipts(store)
    rows = []
    for status in store.statuses():
        appts = [a.to_wire() for a in store.appointments(status.provider_id)]
        impact = status_impact(
            appts, status.state, now, delay_min=status.delay_min, leaving_at=status.leaving_at
        )
        shown, waiting = receipts.get(status.provider_id, ([], []))
        rows.append(
            {
                "id": status.provider_id,
                "name": names.get(status.provider_id, status.provider_id),
                "state": status.state,
                "state_text": STATES.get(status.state, status.state),
                "delay_min": status.delay_min,
                "leaving_at": status.leaving_at,
                "reason": status.reason,
                "changed_by": status.changed_by or "-",
                "changed_at": _clock(status.changed_at) or "-",
                "version": status.version,
                "affected": impact.affected if status.state != "on_time" else 0,
                "checked_in": impact.checked_in if status.state != "on_time" else 0,
                "shown": shown,
                "waiting": waiting,
            }
        )
    return sorted(rows, key=lambda r: str(r["name"]))


def _receipts(store: HubStore) -> dict[str, tuple[list[str], list[str]]]:
    epoch = store.epochs.current()
    kiosks = [_this_epoch(k, epoch) for k in store.kiosks() if k.get("online")]
    out: dict[str, tuple[list[str], list[str]]] = {}
    for status in store.statuses():
        if status.version == 0:
            continue
        shown = [str(k["id"]) for k in kiosks if _shows(k, status.provider_id) >= status.version]
        waiting = [str(k["id"]) for k in kiosks if _shows(k, status.provider_id) < status.version]
        out[status.provider_id] = (shown, waiting)
    return out


def _shows(kiosk: dict[str, object], provider_id: str) -> int:
    return int(cast(dict[str, int], kiosk["display"]).get(provider_id, 0))


def _this_epoch(kiosk: dict[str, object], epoch: m.Epoch) -> dict[str, object]:
    """The kiosk's receipt as versions of the hub's epoch: one of another epoch (a restored
    or reinstalled hub's kiosks before they follow) shows none of this epoch's changes."""
    if parse_epoch(kiosk.get("display_epoch")) == epoch:
        return kiosk
    return {**kiosk, "display": {}}


def kiosks(store: HubStore, now: datetime) -> list[dict[str, Any]]:
    newest = {s.provider_id: s.version for s in store.statuses()}
    names = store.providers()
    refused: dict[str, list[str]] = {}  # what the hub rejected from each kiosk, kept across restarts
    for r in store.rejections():
        refused.setdefault(str(r["source"]), []).append(f"{r['reason']}: {r['count']}")
    rows = []
    epoch = store.epochs.current()
    for k in (_this_epoch(kiosk, epoch) for kiosk in store.kiosks()):
        health = cast(dict[str, Any], k["health"])
        display = cast(dict[str, int], k["display"])
        behind = [names.get(p, p) for p, v in newest.items() if v and int(display.get(p, 0)) < v]
        devices = cast(dict[str, dict[str, Any]], health.get("devices", {}))
        rows.append(
            {
                "id": k["id"],
                "online": bool(k.get("online")),
                "software_version": k.get("software_version") or "?",
                "last_seen": _clock(str(k.get("last_seen") or "")),
                "display": [
                    {"provider": names.get(p, p), "shows": int(display.get(p, 0)), "newest": v}
                    for p, v in sorted(newest.items())
                ],
                "behind": behind,
                "cache_age_s": _age(health.get("cache_age_s")),
                "outbox_depth": health.get("outbox_depth"),
                "devices": [{"name": n, **d} for n, d in sorted(devices.items())],
                "hub_rejected": refused.get(str(k["id"]), []),
                "rows_left_out": int((health.get("rejected") or {}).get(SCHEDULE_ROW, 0)),
            }
        )
    return rows


def _age(value: object) -> int | None:
    """Seconds since the kiosk's cache was refreshed; None when it has none yet (-1)."""
    return int(value) if isinstance(value, int | float) and value >= 0 else None


def arrivals(store: HubStore, now: datetime) -> list[dict[str, Any]]:
    names = store.providers()
    rows = []
    for c in store.checkins():
        appt = store.appointment(str(c["appointment_id"]))
        arrived = datetime.fromisoformat(str(c["arrived_at"]))
        rows.append(
            {
                "time": _clock(str(c["arrived_at"])),
                "patient": patient_label(appt) if appt else "?",
                "appointment": _clock(appt.start) if appt else "",
                "provider": names.get(str(c["provider_id"]), str(c["provider_id"])),
                "method": METHODS.get(str(c["method"]), str(c["method"])),
                "outcome": str(c["outcome"]).replace("_", " "),
                "wait_min": max(0, int((now - arrived).total_seconds() // 60)),
            }
        )
    return list(reversed(rows))


# How each call outcome reads on the calls card (sync.call_report.OUTCOMES, in its order).
CALL_OUTCOMES = {
    "status_heard": "heard the providers' status",
    "own_found": "heard their own appointment",
    "own_not_found": "own appointment not found",
    "own_refused": "own appointment refused (too many tries)",
    "callback_left": "left a callback request",
    "transferred": "put through to the desk",
    "hung_up_early": "hung up before the status",
}


def calls(store: HubStore, now: datetime) -> dict[str, Any]:
    """Today's calls to the phone line: outcome counts only, never a number."""
    day = call_day(store, now.date().isoformat())
    return {
        "calls": {
            "count": day.calls,
            "minutes": round(day.seconds / 60),
            "outcomes": [(CALL_OUTCOMES[o], n) for o, n in day.outcomes.items()],
            "callbacks_waiting": day.callbacks_waiting,
            "callbacks_today": day.callbacks_today,
        }
    }


def escalations(store: HubStore) -> dict[str, list[dict[str, Any]]]:
    rows = store.staff.escalations(only_open=False)
    return {"escalations": list(reversed(rows)), "notices": records.notices(store)}


@dataclass(frozen=True)
class ChartData:
    per_quarter: list[tuple[str, int]]  # "08:00" -> check-ins in that 15 minutes
    arrival_offsets: list[int]  # minutes arrived before (<0) or after the appointment
    methods: dict[str, int]
    to_desk: int  # check-ins that ended at the front desk (reschedule, other provider, desk)
    no_shows: int
    timelines: list[tuple[str, list[tuple[str, str]]]]  # provider -> [(HH:MM, state)]
    hours: tuple[int, int] = (7, 19)  # the span the timeline draws: the day, and now
    time_to_checkin: list[tuple[str, int]] = field(default_factory=list)  # "≤30 s" -> check-ins
    voice: list[tuple[str, int]] = field(default_factory=list)  # voice sessions and how they ended


def flow_charts(counts: dict[str, int]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The kiosks' flow counts (domain.metrics, summed by the store) as chart rows."""
    times = [(f"≤{_seconds(b)}", counts.get(f"checkin_seconds_le_{b}", 0)) for b in TIME_BUCKETS_S]
    last = TIME_BUCKETS_S[-1]
    times.append((f">{_seconds(last)}", counts.get(f"checkin_seconds_gt_{last}", 0)))
    times.append(("gave up", counts.get("checkin_abandoned", 0)))  # began, never finished
    voice = [  # short labels: the chart's caption says what each is
        ("voice", counts.get("checkin_voice_sessions", 0)),
        ("to touch", counts.get("checkin_voice_to_touch", 0)),
        ("abandoned", counts.get("checkin_abandoned_after_voice", 0)),
    ]
    return (times if any(n for _, n in times) else []), (voice if any(n for _, n in voice) else [])


def _seconds(bound: int) -> str:
    return f"{bound // 60} min" if bound >= 60 else f"{bound} s"


def chart_data(store: HubStore, now: datetime) -> ChartData:
    checkins = store.checkins()
    quarters: dict[str, int] = {}
    offsets: list[int] = []
    methods: dict[str, int] = {}
    to_desk = 0
    checked: set[str] = set()
    for c in checkins:
        arrived = datetime.fromisoformat(str(c["arrived_at"]))
        slot = arrived.replace(minute=arrived.minute // 15 * 15, second=0, microsecond=0)
        quarters[slot.strftime("%H:%M")] = quarters.get(slot.strftime("%H:%M"), 0) + 1
        method = METHODS.get(str(c["method"]), str(c["method"]))
        methods[method] = methods.get(method, 0) + 1
        checked.add(str(c["appointment_id"]))
        if str(c["outcome"]) not in m.ARRIVED:
            to_desk += 1
        appt = store.appointment(str(c["appointment_id"]))
        if appt is not None:
            offsets.append(int((arrived - datetime.fromisoformat(appt.start)).total_seconds() // 60))
    cutoff = now - timedelta(minutes=NO_SHOW_AFTER_MIN)
    no_shows = sum(
        1
        for a in store.appointments()
        if a.state == "booked" and a.id not in checked and datetime.fromisoformat(a.start) < cutoff
    )
    starts = [datetime.fromisoformat(a.start).hour for a in store.appointments()] or [7]
    hours = (min([*starts, now.hour]), min(24, max(max(starts) + 2, now.hour + 1)))
    times, voice = flow_charts(store.flow_counts(now.date().isoformat()))
    return ChartData(
        sorted(quarters.items()), offsets, methods, to_desk, no_shows, _timelines(store), hours, times, voice
    )


def _timelines(store: HubStore) -> list[tuple[str, list[tuple[str, str]]]]:
    names = store.providers()
    out = []
    for pid, name in names.items():
        out.append((name, [(_clock(at), state) for at, state in records.status_changes(store, pid)]))
    return out
