"""What the live provider status means for one patient: arrival window, wait estimate,
and the outcome they are offered. Pure: appointments, status and ``now`` in, a decision out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from domain.board import status_on
from sync.messages import Appointment, ProviderStatus

WindowVerdict = Literal["ok", "too_early", "too_late"]
OutcomeKind = Literal["on_time", "late", "out", "stale"]


@dataclass(frozen=True)
class ArrivalWindow:
    before_min: int = 60
    after_min: int = 20

    def check(self, start: datetime, now: datetime) -> WindowVerdict:
        if now < start - timedelta(minutes=self.before_min):
            return "too_early"
        if now > start + timedelta(minutes=self.after_min):
            return "too_late"
        return "ok"

    def opens_at(self, start: datetime) -> datetime:
        return start - timedelta(minutes=self.before_min)


@dataclass(frozen=True)
class Outcome:
    """What to tell the patient. ``options`` are the choices offered, in order."""

    kind: OutcomeKind
    delay_min: int = 0
    wait_min: int | None = None  # None: withheld (stale data) or not applicable
    estimated: datetime | None = None
    reason: str = ""
    alternative_provider_id: str = ""
    options: tuple[str, ...] = field(default_factory=tuple)


def start_of(appt: Appointment) -> datetime:
    return datetime.fromisoformat(appt.start)


def decide_outcome(
    appt: Appointment,
    status: ProviderStatus | None,
    same_provider: list[Appointment],
    now: datetime,
    stale: bool,
) -> Outcome:
    """The outcome for ``appt`` given the provider's live status.

    Out today (or leaving before this appointment would start) offers the practice's
    options, never a silent check-in. Stale data withholds estimates and points to the desk.
    """
    status = status_on(status, appt.start[:10])
    state = status.state if status is not None else "on_time"
    delay = status.delay_min if status is not None and state == "late" else 0
    start = start_of(appt)
    if state == "leaving_early" and status is not None:
        leaves = datetime.combine(start.date(), datetime.strptime(status.leaving_at, "%H:%M").time())
        if start + timedelta(minutes=appt.duration_min) > leaves:
            state = "out"
    if state == "out":
        options = ["front_desk", "reschedule"]
        alternative = status.alternative_provider_id if status is not None else ""
        if alternative:
            options.insert(0, "other_provider")
        reason = status.reason if status is not None else ""
        return Outcome("out", reason=reason, alternative_provider_id=alternative, options=tuple(options))
    if stale:
        return Outcome("stale", options=("checked_in",))
    wait, estimated = wait_estimate(appt, delay, same_provider, now)
    if state == "late":
        return Outcome("late", delay, wait, estimated, options=("waiting_late", "return_later"))
    return Outcome("on_time", 0, wait, estimated, options=("checked_in",))


def wait_estimate(
    appt: Appointment, delay_min: int, same_provider: list[Appointment], now: datetime
) -> tuple[int, datetime]:
    """Minutes until this patient is likely seen, and at what time.

    The later of: the booked start pushed by the provider's delay, and the time needed
    for the checked-in patients booked ahead of this one who are still waiting.
    """
    start = start_of(appt)
    pushed = start + timedelta(minutes=delay_min)
    ahead = [
        a
        for a in same_provider
        if a.id != appt.id
        and a.state == "checked_in"
        and start_of(a) < start
        and start_of(a) + timedelta(minutes=delay_min + a.duration_min) > now
    ]
    queue_done = now + timedelta(minutes=sum(a.duration_min for a in ahead))
    estimated = max(pushed, queue_done, now)
    wait = int((estimated - now).total_seconds() // 60)
    return wait, estimated.replace(second=0, microsecond=0)
