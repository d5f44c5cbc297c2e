"""One adapter interface for every way a notification leaves the hub.

A channel takes a batch of ``Outgoing`` and answers each with ``Submitted`` (the
carrier has it; ``final``: no receipt will follow), ``Retry`` (the carrier answered
about this message: try it again later; ``throttled``: it answered about its rate),
``Undeliverable`` (never: staff must call), ``InDoubt`` (the connection broke after the
message went out: it may have arrived) or ``Unavailable`` (the channel itself is down:
nothing was said about the message, so it waits and spends no attempt).
``poll`` hands back what arrived since: delivery receipts and patients' replies. A
channel runs on the notify worker only (one owner per socket) and never raises for
a carrier's fault.

Each channel keeps its health in one ``Link``: up, or down since when and why, and when
it may dial again (the one capped, jittered reconnect back-off of that channel).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.backoff import Backoff
from core.clock import Clock, SystemClock


@dataclass(frozen=True)
class Outgoing:
    key: str  # the outbox key: also the message's idempotency key where the carrier has one
    address: str
    subject: str
    text: str
    language: str


@dataclass(frozen=True)
class Submitted:
    message_id: str
    final: bool = False


@dataclass(frozen=True)
class Retry:
    reason: str  # what the carrier said, never the address or the text
    throttled: bool = False


@dataclass(frozen=True)
class Undeliverable:
    reason: str


@dataclass(frozen=True)
class InDoubt:
    reason: str


@dataclass(frozen=True)
class Unavailable:
    """The channel could not take the message (cannot connect, the carrier is down):
    nothing about the message itself, so it waits without spending an attempt."""

    reason: str


Result = Submitted | Retry | Undeliverable | InDoubt | Unavailable


@dataclass(frozen=True)
class Receipt:
    message_id: str
    address: str
    delivered: bool
    status: str  # the carrier's word: DELIVRD, UNDELIV, EXPIRED, REJECTD, ...


@dataclass(frozen=True)
class Reply:
    address: str
    text: str


Event = Receipt | Reply


RECONNECT = Backoff(0.2, 10.0)  # a down channel is tried again within 10 s at most


class Link:
    """A channel's health. ``failed`` starts (or continues) an outage and sets when the
    channel may be dialled again; ``ok`` ends it. Down is the channel's state, never a
    message's: the notifier sends nothing on a down link until ``may_try``."""

    def __init__(self, clock: Clock | None = None, backoff: Backoff = RECONNECT) -> None:
        self.clock = clock or SystemClock()
        self.backoff = backoff
        self.down_since: datetime | None = None
        self.reason = ""
        self.failures = 0
        self.up_at = self.clock.monotonic()  # when it last came up (monotonic)
        self._next_try = 0.0
        self._rng = random.Random()

    @property
    def up(self) -> bool:
        return self.down_since is None

    def may_try(self) -> bool:
        """Up, or down and its back-off has passed: dial (or send) now."""
        return self.up or self.clock.monotonic() >= self._next_try

    def retry_in_s(self) -> float:
        return 0.0 if self.up else max(0.0, self._next_try - self.clock.monotonic())

    def up_for_s(self) -> float:
        return self.clock.monotonic() - self.up_at if self.up else 0.0

    def failed(self, reason: str) -> None:
        if self.down_since is None:
            self.down_since = self.clock.now()
        self.reason = reason
        self._next_try = self.clock.monotonic() + self.backoff.delay(self.failures, self._rng)
        self.failures += 1

    def ok(self) -> None:
        if self.down_since is not None:
            self.up_at = self.clock.monotonic()
        self.down_since, self.reason, self.failures, self._next_try = None, "", 0, 0.0


class Channel(Protocol):
    name: str  # smpp, smtp, webhook
    rate_per_s: float
    link: Link

    def submit(self, batch: list[Outgoing]) -> list[Result]:
        """One result per message, in order."""
        ...

    def poll(self) -> list[Event]:
        """Receipts and replies that arrived (without blocking)."""
        ...

    def settle(self) -> None:
        """What ``poll`` returned is committed: tell the carrier it may forget it."""
        ...

    def close(self) -> None: ...


class RateLimit:
    """A sliding window: in any one second at most ``floor(rate_per_s)`` messages (a rate
    under one: one message per ``1 / rate_per_s`` seconds), from the very first second
    on: no initial burst, which a carrier with a contracted rate would throttle.

    ``take`` is called once a batch has left (what the carrier saw is then inside the
    window the next batch is counted against)."""

    def __init__(self, rate_per_s: float, clock: Clock) -> None:
        self._clock = clock
        self._cap = max(1, int(rate_per_s))
        self._span = 1.0 if rate_per_s >= 1 else 1.0 / rate_per_s
        self._sent: deque[float] = deque()

    def _forget(self) -> float:
        now = self._clock.monotonic()
        while self._sent and self._sent[0] <= now - self._span:
            self._sent.popleft()
        return now

    def available(self) -> int:
        self._forget()
        return max(0, self._cap - len(self._sent))

    def take(self, n: int) -> None:
        now = self._forget()
        self._sent.extend([now] * n)

    def wait_s(self) -> float:
        """Seconds until one more may go."""
        now = self._forget()
        if len(self._sent) < self._cap:
            return 0.0
        return max(0.0, self._sent[len(self._sent) - self._cap] + self._span - now)
