"""What to tell whom about a status change: pure (statuses, appointments, what each
patient was last told and ``now`` in; notices out).

A patient is told what changed for *their* visit and only when it matters: the provider
is out, leaves before the visit ends, or runs ``threshold`` minutes late or more; later,
that it got better (back on time, or a delay shorter by ``threshold``). A change that
tells the patient nothing new (the same delay, give or take less than ``threshold``)
sends nothing. Replaying a change gives the same notices (``now`` is the change's time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from domain.impact import status_impact
from sync.messages import Appointment

NEEDS_ANSWER = frozenset({"out", "leaving"})  # the visit cannot happen as booked: staff must hear back
TOLD_STATES = frozenset({"sending", "in_doubt", "submitted", "delivered", "sent"})
SENT_STATES = frozenset({"submitted", "delivered", "sent"})
_ROUND_MIN = 5


@dataclass(frozen=True)
class Notice:
    """What one patient is told: ``late`` (about ``delay_min``), ``out`` (the visit has to
    move), ``leaving`` (the provider leaves at ``leaving_at``), ``on_time`` (back on time)."""

    kind: str
    delay_min: int = 0
    leaving_at: str = ""


@dataclass(frozen=True)
class ChangeView:
    """One row of status_history, as the planner reads it."""

    provider_id: str
    version: int
    state: str
    delay_min: int
    leaving_at: str
    changed_at: str

    @property
    def change(self) -> str:
        return f"{self.provider_id}-v{self.version}"


def rounded_delay(delay_min: int) -> int:
    """A delay as a patient is told it: up to the next five minutes ("about 25 min")."""
    return -(-delay_min // _ROUND_MIN) * _ROUND_MIN


def desired_notice(change: ChangeView, affected: bool, threshold_min: int) -> Notice | None:
    """What the patient of an appointment should know now (None: nothing is wrong)."""
    if not affected:
        return None
    if change.state == "out":
        return Notice("out")
    if change.state == "leaving_early":
        return Notice("leaving", leaving_at=change.leaving_at)
    if change.state == "late" and change.delay_min >= threshold_min:
        return Notice("late", delay_min=rounded_delay(change.delay_min))
    return None


def notice_to_send(desired: Notice | None, told: Notice | None, threshold_min: int) -> Notice | None:
    """The notice to send given what the patient was last told (None: nothing new)."""
    if desired is None:
        if told is None or told.kind == "on_time":
            return None
        return Notice("on_time")  # it got better: tell the patient who was told it was worse
    if told is None or told.kind != desired.kind:
        return desired
    if desired.kind == "late" and abs(desired.delay_min - told.delay_min) >= threshold_min:
        return desired
    if desired.kind == "leaving" and desired.leaving_at != told.leaving_at:
        return desired
    return None


def plan_change(
    change: ChangeView,
    appointments: Iterable[Appointment],
    told: Mapping[str, Notice],
    threshold_min: int,
) -> list[tuple[Appointment, Notice | None]]:
    """Each booked appointment the change may concern, with the notice to send (None: none,
    and any notice still waiting for it is dropped)."""
    when = datetime.fromisoformat(change.changed_at)
    booked = [a for a in appointments if a.state == "booked"]
    impact = status_impact(
        booked,
        change.state,
        when,
        delay_min=change.delay_min,
        leaving_at=change.leaving_at,
    )
    hit = set(impact.appointment_ids)
    out: list[tuple[Appointment, Notice | None]] = []
    for appt in booked:
        if appt.start[:10] != when.date().isoformat() or datetime.fromisoformat(appt.start) <= when:
            continue  # another day's, or already begun: the kiosk tells the patient in the lobby
        desired = desired_notice(change, appt.id in hit, threshold_min)
        out.append((appt, notice_to_send(desired, told.get(appt.id), threshold_min)))
    return out


def in_quiet_hours(now: datetime, start: str, end: str) -> bool:
    """``now`` is in [start, end) on a 24-hour clock (a window may wrap midnight)."""
    begin, finish, at = _hhmm(start), _hhmm(end), now.time()
    if begin == finish:
        return False
    if begin < finish:
        return begin <= at < finish
    return at >= begin or at < finish


def quiet_until(now: datetime, end: str) -> datetime:
    """The first moment after ``now`` at which quiet hours end."""
    finish = datetime.combine(now.date(), _hhmm(end))
    return finish if finish > now else finish + timedelta(days=1)


def over_cap(sent_at: Iterable[datetime], now: datetime, per_day: int, per_week: int) -> str:
    """ "day" or "week" when one more message would exceed a cap, else ""."""
    times = list(sent_at)
    today = sum(1 for t in times if t.date() == now.date())
    week = sum(1 for t in times if now - t < timedelta(days=7))
    if today >= per_day:
        return "day"
    if week >= per_week:
        return "week"
    return ""


def answer_overdue(appointment_start: str, sent_at: str, now: datetime, lead_min: int) -> bool:
    """A notice that needs an answer got none by ``lead_min`` before the visit (and the
    patient had a few minutes to answer)."""
    start = datetime.fromisoformat(appointment_start)
    sent = datetime.fromisoformat(sent_at) if sent_at else now
    return now >= start - timedelta(minutes=lead_min) and now >= sent + timedelta(minutes=5)


def _hhmm(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))
