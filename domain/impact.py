"""The impact of a provider status change, shown before staff confirm it:
"Dr. Martinez out today: 14 appointments affected, 3 patients already checked in,
2 on their way (arrival window open)". Pure: appointments and ``now`` in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.estimate import ArrivalWindow
from sync.messages import Appointment


@dataclass(frozen=True)
class Impact:
    affected: int  # appointments of the rest of the day the change touches
    checked_in: int  # of those, patients already here
    on_their_way: int  # not checked in, arrival window open now
    appointment_ids: tuple[str, ...] = ()


def status_impact(
    appointments: list[Appointment],
    state: str,
    now: datetime,
    *,
    delay_min: int = 0,
    leaving_at: str = "",
    window: ArrivalWindow | None = None,
) -> Impact:
    """Which of a provider's appointments a new status affects.

    out: everything not yet over; late: everything from now on; leaving early: what ends
    after the leaving time; on time: what was affected by a delay (from now on).
    """
    window = window or ArrivalWindow()
    live = [a for a in appointments if a.state != "cancelled" and a.start[:10] == now.date().isoformat()]
    if state == "leaving_early" and leaving_at:
        cutoff = datetime.combine(now.date(), datetime.strptime(leaving_at, "%H:%M").time())
        hit = [a for a in live if _start(a) + timedelta(minutes=a.duration_min) > cutoff]
    else:
        hit = [a for a in live if _start(a) + timedelta(minutes=a.duration_min + delay_min) > now]
    checked = [a for a in hit if a.state == "checked_in"]
    coming = [a for a in hit if a.state == "booked" and window.check(_start(a), now) == "ok"]
    return Impact(len(hit), len(checked), len(coming), tuple(a.id for a in hit))


def impact_sentence(
    provider_name: str, state: str, impact: Impact, delay_min: int = 0, leaving_at: str = ""
) -> str:
    what = {
        "out": "out today",
        "late": f"running {delay_min} minutes late",
        "leaving_early": f"leaving early at {leaving_at}",
        "on_time": "back on schedule",
    }[state]
    return (
        f"{provider_name} {what}: {_counted(impact.affected, 'appointment')} affected, "
        f"{_counted(impact.checked_in, 'patient')} already checked in, "
        f"{impact.on_their_way} on their way (arrival window open)"
    )


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _start(appt: Appointment) -> datetime:
    return datetime.fromisoformat(appt.start)
