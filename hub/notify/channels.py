"""One adapter interface for every way a notification leaves the hub.

A channel takes a batch of ``Outgoing`` and answers each with ``Submitted`` (the
carrier has it; ``final``: no receipt will follow), ``Retry`` (try again later:
down, throttled, a temporary refusal), ``Undeliverable`` (never: staff must call) or
``InDoubt`` (the connection broke after the message went out: it may have arrived).
``poll`` hands back what arrived since: delivery receipts and patients' replies. A
channel runs on the notify worker only (one owner per socket) and never raises for
a carrier's fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.clock import Clock


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


Result = Submitted | Retry | Undeliverable | InDoubt


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


class Channel(Protocol):
    name: str  # smpp, smtp, webhook
    rate_per_s: float

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
    """A token bucket: ``rate_per_s`` sustained, bursts of up to one second's worth."""

    def __init__(self, rate_per_s: float, clock: Clock) -> None:
        self._rate = rate_per_s
        self._clock = clock
        self._tokens = max(1.0, rate_per_s)
        self._at = clock.monotonic()

    def available(self) -> int:
        now = self._clock.monotonic()
        self._tokens = min(max(1.0, self._rate), self._tokens + (now - self._at) * self._rate)
        self._at = now
        return int(self._tokens)

    def take(self, n: int) -> None:
        self._tokens -= n

    def wait_s(self) -> float:
        """Seconds until one token is there."""
        return max(0.0, (1.0 - self._tokens) / self._rate)
