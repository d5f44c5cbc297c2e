"""Sign-in attempt accounting that a burst cannot race: every attempt is counted when it
arrives, before any hash is computed, and at most one verification per account and lane is
in flight at a time.

An account has lanes. Strangers share one lane per staff id (the "open" lane); a browser
that has signed in as that member before brings a signed device cookie and gets a lane of
its own (OWASP "device cookies"), so a stranger hammering an id locks only the strangers'
lane, never the member's own workstation. Each lane:

* counts consecutive attempts (a success clears them); at ``max_attempts`` the lane is held
  for ``lockout_s``;
* verifies at most ``guesses_per_hour`` wrong passwords in any rolling hour, however many
  connections or client addresses the attempts come from (a success gives its turn back).

Strangers are also throttled per client address (``client_attempts_per_hour``), so one
host cannot spray every id. Unknown ids are accounted exactly like members (in a bounded
table), so a held account looks like any other failure.

Pure apart from the injected clock; it lives on the web loop's thread, so ``begin`` is one
uninterrupted step between two awaits.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

HOUR_S = 3600.0
_MAX_TRACKED = 10_000  # lanes and clients kept in memory at most (oldest forgotten first)
OPEN_LANE = "open"


class Refusal(Enum):
    """Why an attempt was answered without verifying its password (never told to the client)."""

    HELD = "held"  # the lane reached max_attempts and is held for lockout_s
    HOURLY = "hourly"  # the lane's hourly verification budget is spent
    BUSY = "busy"  # another verification of this lane is in flight
    CLIENT = "client"  # the client address spent its hourly budget


@dataclass(frozen=True)
class GuardLimits:
    max_attempts: int
    lockout_s: float
    guesses_per_hour: int
    client_attempts_per_hour: int


@dataclass
class _Lane:
    attempts: int = 0  # consecutive, counted on arrival
    held_until: float = 0.0
    in_flight: bool = False
    verified: deque[float] = field(default_factory=deque)  # times of verifications in the last hour
    alerted_until: float = 0.0
    sources: set[str] = field(default_factory=set)  # client addresses of the strangers' lane
    total_verified: int = 0


@dataclass(frozen=True)
class Ticket:
    """A verification the guard allowed; hand it back to ``finish``."""

    staff_id: str
    lane: str
    client: str
    at: float


@dataclass(frozen=True)
class Attack:
    """An account whose strangers' lane was held: the supervisors are told once an hour."""

    staff_id: str
    attempts: int
    clients: int


@dataclass
class SignInGuard:
    limits: GuardLimits
    clock: Callable[[], float]
    on_attack: Callable[[Attack], None] = lambda _attack: None
    keep: Callable[[str], bool] = lambda _staff_id: False  # ids whose lanes are never forgotten
    verifications: int = 0  # passwords verified (a figure for the bench)
    _lanes: OrderedDict[tuple[str, str], _Lane] = field(default_factory=OrderedDict)
    _clients: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)

    def begin(self, staff_id: str, client: str, device: str = "") -> Ticket | Refusal:
        """Count one attempt and say whether its password may be verified now."""
        now = self.clock()
        lane_name = device or OPEN_LANE
        lane = self._lane(staff_id, lane_name)
        if not device:
            refusal = self._client_spent(client, now)
            if refusal is not None:
                return refusal
            if len(lane.sources) < 1000:
                lane.sources.add(client)
        if lane.held_until:
            if now < lane.held_until:
                return Refusal.HELD
            lane.held_until, lane.attempts = 0.0, 0
        lane.attempts += 1
        if lane.attempts >= self.limits.max_attempts:
            lane.held_until = now + self.limits.lockout_s  # an in-flight success still clears it
            if not device:
                self._alert(staff_id, lane, now)
        while lane.verified and lane.verified[0] <= now - HOUR_S:
            lane.verified.popleft()
        if lane.in_flight:
            return Refusal.BUSY
        if len(lane.verified) >= self.limits.guesses_per_hour:
            if not device:
                self._alert(staff_id, lane, now)
            return Refusal.HOURLY
        lane.in_flight = True
        lane.verified.append(now)
        lane.total_verified += 1
        self.verifications += 1
        return Ticket(staff_id, lane_name, client, now)

    def finish(self, ticket: Ticket, ok: bool) -> None:
        """The verification of ``ticket`` ended; a success clears its lane's count and hold
        and gives its verification back (the hourly budget is for wrong guesses)."""
        lane = self._lane(ticket.staff_id, ticket.lane)
        lane.in_flight = False
        if ok:
            lane.attempts, lane.held_until = 0, 0.0
            lane.sources.clear()
            with contextlib.suppress(ValueError):  # already out of the window
                lane.verified.remove(ticket.at)

    def unlock(self, staff_id: str) -> None:
        """Forget every count of ``staff_id`` (a new password was set)."""
        for (lane_staff, _name), lane in self._lanes.items():
            if lane_staff == staff_id:
                lane.attempts, lane.held_until, lane.alerted_until = 0, 0.0, 0.0
                lane.verified.clear()
                lane.sources.clear()

    def verified(self, staff_id: str, device: str = "") -> int:
        """Passwords verified on a lane since it was first seen (a figure for the bench)."""
        lane = self._lanes.get((staff_id, device or OPEN_LANE))
        return lane.total_verified if lane is not None else 0

    def held(self, staff_id: str, device: str = "") -> bool:
        lane = self._lanes.get((staff_id, device or OPEN_LANE))
        return lane is not None and self.clock() < lane.held_until

    # --- inside ---------------------------------------------------------------------------

    def _lane(self, staff_id: str, name: str) -> _Lane:
        key = (staff_id, name)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
            if len(self._lanes) > _MAX_TRACKED:
                self._forget_one()
        else:
            self._lanes.move_to_end(key)
        return lane

    def _forget_one(self) -> None:
        """Drop the least recently used lane of an id that is not ``keep``'s (a spray of unknown
        ids must not push a member's counts out of memory)."""
        for key, lane in self._lanes.items():
            if not lane.in_flight and not self.keep(key[0]):
                del self._lanes[key]
                return

    def _client_spent(self, client: str, now: float) -> Refusal | None:
        times = self._clients.get(client)
        if times is None:
            times = self._clients[client] = deque()
            if len(self._clients) > _MAX_TRACKED:
                self._clients.popitem(last=False)
        else:
            self._clients.move_to_end(client)
        while times and times[0] <= now - HOUR_S:
            times.popleft()
        if len(times) >= self.limits.client_attempts_per_hour:
            return Refusal.CLIENT
        times.append(now)
        return None

    def _alert(self, staff_id: str, lane: _Lane, now: float) -> None:
        if now < lane.alerted_until:
            return
        lane.alerted_until = now + HOUR_S  # once an hour per account while the attack goes on
        self.on_attack(Attack(staff_id, lane.attempts, len(lane.sources)))
