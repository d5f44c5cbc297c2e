"""What a simulated kiosk (``devtools.fleet_sim``) holds of the hub's day, in memory:
schedules and appointment changes applied by version, statuses by (epoch, version) as
``sync.state`` orders them - what ``sync.cache`` does for a real kiosk, without SQLite."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from core.clock import SystemClock
from sync import messages as m
from sync.state import FUTURE_EPOCH, NEW_EPOCH, OLD_EPOCH, decide_epoch

_CLOCK = SystemClock()


@dataclass(frozen=True)
class SimAppointment:
    """What a simulated kiosk keeps of an appointment: enough to check its patient in."""

    id: str
    provider_id: str
    state: str


@dataclass
class _Day:
    version: int = 0
    appointments: dict[str, SimAppointment] = field(default_factory=dict)


def _schedule_head(payload: bytes, provider_id: str) -> tuple[int, dict[str, SimAppointment]] | None:
    """A schedule's version and appointments, read without the full validation.

    A real kiosk checks every field of a schedule (``sync.wire``) on its own CPU: 2 to 5 ms
    for a 60-appointment day. Hundreds of simulated kiosks in one process cannot pay that
    for every republished schedule, so they read only what they use - and count anything
    that is not a schedule of this provider as rejected, like the decoder."""
    try:
        body = json.loads(payload)
        if body.get("kind") != "schedule" or body.get("provider_id") != provider_id:
            return None
        appts = {
            str(a["id"]): SimAppointment(str(a["id"]), str(a["provider_id"]), str(a.get("state", "booked")))
            for a in body["appointments"]
        }
        return int(body["version"]), appts
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


class SimCache:
    def __init__(self) -> None:
        self.statuses: dict[str, int] = {}
        self.epoch = m.Epoch()  # the hub epoch its statuses belong to (sync.state.decide_epoch)
        self.days: dict[str, _Day] = {}
        self.shown: dict[str, float] = {}  # "provider/version" -> monotonic time applied
        self.rejected = 0

    def apply_schedule(self, provider_id: str, payload: bytes) -> None:
        head = _schedule_head(payload, provider_id)
        if head is None:
            self.rejected += 1
            return
        version, appts = head
        if version > self.days.get(provider_id, _Day()).version:
            self.days[provider_id] = _Day(version, appts)

    def apply_change(self, msg: m.AppointmentChange) -> None:
        day = self.days.setdefault(msg.provider_id, _Day())
        if msg.version > day.version:  # the next one advances; a gap waits for the schedule
            a = msg.appointment
            day.appointments[a.id] = SimAppointment(a.id, a.provider_id, a.state)
            if msg.version == day.version + 1:
                day.version = msg.version

    def apply_status(self, msg: m.ProviderStatus) -> bool:
        """True when the status was applied (what the kiosk shows changed)."""
        epoch = decide_epoch(self.epoch, msg.epoch, _CLOCK.now().timestamp())
        if epoch in (OLD_EPOCH, FUTURE_EPOCH):
            return False
        if epoch == NEW_EPOCH:  # what the older epoch left counts no more
            self.epoch = msg.epoch
            self.statuses.clear()
        if msg.version <= self.statuses.get(msg.provider_id, -1):
            return False  # duplicate or stale
        self.statuses[msg.provider_id] = msg.version
        self.shown[f"{msg.provider_id}/{msg.version}"] = time.monotonic()
        return True

    def next_appointment(self, index: int, of: int, used: set[str]) -> SimAppointment | None:
        """The first booked appointment of this kiosk's share (every ``of``-th from ``index``)."""
        mine = [
            a
            for day in self.days.values()
            for i, a in enumerate(sorted(day.appointments.values(), key=lambda a: a.id))
            if i % of == index and a.id not in used and a.state == "booked"
        ]
        return mine[0] if mine else None

    def summary(self, outbox_depth: int) -> m.CacheSummary:
        return m.CacheSummary(
            schedule_versions={p: d.version for p, d in self.days.items()},
            status_versions=dict(self.statuses),
            outbox_depth=outbox_depth,
        )

    def holds_day(self) -> bool:
        return bool(self.days) and all(d.version > 0 for d in self.days.values())


__all__ = ["SimAppointment", "SimCache"]
