"""The practice CLI as a real MQTT client: send one command to the hub and say exactly
what happened to it.

A command is published at QoS 1 and resent with the same idempotency key (the hub
records it once and answers a replay again) until the hub's answer arrives or the time
limit passes. Under MQTT 5 each copy expires at the broker when the limit passes, so a
command the hub did not answer in time is never applied later. The outcome names only
what was observed: the hub's answer, the broker's PUBACK, or nothing.
"""

from __future__ import annotations

import math
import queue
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from config.settings import BrokerSettings, Settings
from core.clock import SystemClock
from core.errors import ConfigError
from sync.link import LinkEvent, MqttLink

OutcomeKind = Literal["applied", "refused", "not_delivered", "unreachable"]

# The exit code of each outcome (README, "The practice CLI"). 1 is a usage or config error.
EXIT_CODES: dict[OutcomeKind, int] = {"applied": 0, "refused": 3, "not_delivered": 4, "unreachable": 5}

_RESEND_S = 2.0  # the hub answers a replayed key again: a lost answer costs one resend


@dataclass(frozen=True)
class Answer:
    """The hub's answer to the command: applied, or refused with its reason."""

    applied: bool
    detail: str


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    detail: str
    sends: int = 0
    broker_took: bool = False  # the broker acknowledged (PUBACK) at least one copy

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.kind]


@dataclass(frozen=True)
class Command:
    topic: str
    payload: bytes
    key: str
    subscriptions: Sequence[str]
    answer: Callable[[LinkEvent], Answer | None]  # a message event -> the hub's answer, if it is one


class _Attempt:
    """What one delivery has seen so far (the state of ``deliver``'s loop)."""

    def __init__(self, link: MqttLink, command: Command, deadline: float, where: str) -> None:
        self.link = link
        self.where = where
        self.command = command
        self.deadline = deadline
        self.connected_once = False
        self.sends = 0
        self.broker_took = False
        self.broker_refused = ""
        self.next_send = 0.0

    def send(self, now: float) -> None:
        expiry = max(1, math.ceil(self.deadline - now))
        if self.link.publish(
            self.command.topic, self.command.payload, qos=1, token=self.command.key, expiry_s=expiry
        ):
            self.sends += 1
        self.next_send = now + _RESEND_S

    def on_event(self, event: LinkEvent, now: float) -> Outcome | None:
        if event.kind == "connected":
            self.connected_once = True
            self.send(now)
        elif event.kind == "refused":
            return Outcome("unreachable", f"the broker refused the connection: {event.reason}", self.sends)
        elif event.kind == "published" and event.token == self.command.key:
            if event.ok:
                self.broker_took = True
            else:
                self.broker_refused = event.reason
        elif event.kind == "message":
            answer = self.command.answer(event)
            if answer is not None:
                kind: OutcomeKind = "applied" if answer.applied else "refused"
                return Outcome(kind, answer.detail, self.sends, self.broker_took)
        return None

    def timed_out(self, timeout: float, protocol: str) -> Outcome:
        if not self.connected_once:
            error = self.link.last_error or "no answer"
            return Outcome(
                "unreachable", f"could not reach the broker at {self.where} in {timeout:.0f} s: {error}"
            )
        if self.broker_refused:
            return Outcome(
                "not_delivered", f"the broker refused the message: {self.broker_refused}", self.sends
            )
        if not self.broker_took:
            return Outcome(
                "not_delivered", f"the broker did not acknowledge the message in {timeout:.0f} s", self.sends
            )
        later = (
            "it expired at the broker unapplied"
            if protocol == "5"
            else "MQTT 3.1.1 has no expiry: the broker may still hand it to the hub when the hub connects"
        )
        return Outcome(
            "not_delivered",
            f"the broker took it but the hub did not answer in {timeout:.0f} s ({self.sends} sends); {later}",
            self.sends,
            broker_took=True,
        )


def cli_identity(settings: Settings) -> tuple[BrokerSettings, str]:
    """The practice CLI's own broker login and client id, never the hub's.

    A broker written by ``kiosk hub broker-config`` makes each client's id its user name
    (``use_username_as_clientid``), so that no login can take over another's session. A CLI
    logged in as the hub would then connect *as the hub*: its clean start would end the
    running hub's connection and discard the check-ins queued for its persistent session.
    So the CLI uses ``[hub] cli_username`` when set, and refuses the hub's own login.
    """
    hub = settings.hub
    if hub.cli_username:
        broker = replace(settings.broker, username=hub.cli_username, password=hub.cli_password)
    else:
        broker = settings.broker
    if broker.username and broker.username == hub.client_id:
        raise ConfigError(
            f"the practice CLI would log in to the broker as the hub itself ({broker.username!r}) and"
            " take over its session: set [hub] cli_username and cli_password to a practice user"
            " (kiosk hub broker-config --practice-user NAME:PASSWORD_FILE)"
        )
    # Under a username-bound broker the id is the user name anyway; elsewhere it is unique per run.
    return broker, f"hub-cli-{uuid.uuid4().hex[:8]}"


def deliver(broker: BrokerSettings, client_id: str, command: Command, timeout: float) -> Outcome:
    """Send ``command`` until the hub answers or ``timeout`` seconds pass."""
    clock = SystemClock()
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(
        broker, client_id=client_id, on_event=events.put, subscriptions=list(command.subscriptions)
    )
    where = f"{'mqtts' if broker.tls else 'mqtt'}://{broker.host}:{broker.port}"
    attempt = _Attempt(link, command, clock.monotonic() + timeout, where)
    link.start()
    try:
        while (left := attempt.deadline - clock.monotonic()) > 0:
            try:
                event = events.get(timeout=min(left, 0.2))
            except queue.Empty:
                event = None
            now = clock.monotonic()
            if event is not None and (outcome := attempt.on_event(event, now)) is not None:
                return outcome
            if attempt.connected_once and link.connected and now >= attempt.next_send:
                attempt.send(now)
        return attempt.timed_out(timeout, broker.protocol)
    finally:
        link.stop()


__all__ = ["EXIT_CODES", "Answer", "Command", "Outcome", "cli_identity", "deliver"]
