"""A status change sent as the practice: the request built from a terminal's words, the
provider named by id or part of a name, and its delivery to the running hub over MQTT
(resent until the hub answers). Used by ``kiosk hub status``, the dashboard and the soaks."""

from __future__ import annotations

import uuid

from config.settings import Settings
from core.clock import SystemClock
from core.errors import ConfigError, WireError
from hub.command_client import Answer, Command, Outcome, cli_identity, deliver
from hub.origin import PRACTICE_CLI_ID
from hub.store import HubStore
from sync import messages as m
from sync.link import LinkEvent
from sync.topics import TopicTree
from sync.wire import decode, encode

__all__ = [
    "build_request",
    "deliver_status_change",
    "match_provider",
    "outcome_said",
    "resolve_provider",
    "send_command",
]


def resolve_provider(store: HubStore, text: str) -> str:
    return match_provider(store.providers(), text)


def match_provider(providers: dict[str, str], text: str) -> str:
    """The provider ``text`` names: an id, or a part of exactly one name (``providers``:
    id -> name, from the hub's database or the running hub's answer)."""
    if text in providers:
        return text
    hits = [pid for pid, name in providers.items() if text.lower() in name.lower()]
    if len(hits) != 1:
        known = ", ".join(f"{pid} ({name})" for pid, name in providers.items())
        raise ConfigError(f"provider {text!r} matches {len(hits)} providers; known: {known}")
    return hits[0]


def build_request(
    provider_id: str, state: str, value: str | None, reason: str, by: str
) -> m.StatusChangeRequest:
    wire_state = {"late": "late", "out": "out", "leaving": "leaving_early", "on-time": "on_time"}[state]
    delay, leaving = 0, ""
    if state == "late":
        if value is None or not value.isdigit() or not 0 < int(value) <= 600:
            raise ConfigError("late needs the minutes, 1 to 600: e.g. 'late 20'")
        delay = int(value)
    if state == "leaving":
        if value is None:
            raise ConfigError("leaving needs a time: e.g. 'leaving 15:30'")
        leaving = value
    req = m.StatusChangeRequest(
        key=uuid.uuid4().hex,
        kiosk_id=PRACTICE_CLI_ID,
        provider_id=provider_id,
        state=wire_state,  # type: ignore[arg-type]
        requested_by=by,
        requested_at=SystemClock().now().isoformat(),
        delay_min=delay,
        leaving_at=leaving,
        reason=reason,
        role="practice",
    )
    try:
        req.validate()
    except WireError as exc:
        raise ConfigError(exc.detail) from None
    return req


def outcome_said(outcome: Outcome) -> str:
    return {
        "applied": "Applied",
        "refused": "Refused by the hub",
        "not_delivered": "Not delivered",
        "unreachable": "Not delivered (no broker)",
    }[outcome.kind] + f": {outcome.detail}"


def deliver_status_change(
    settings: Settings, req: m.StatusChangeRequest, timeout: float
) -> tuple[Outcome, m.RequestResult | None]:
    """Send ``req`` on the hub's command topic until the hub answers or ``timeout`` passes."""
    tree = TopicTree(settings.kiosk.practice, settings.kiosk.site)
    answered: list[m.RequestResult] = []

    def answer(event: LinkEvent) -> Answer | None:
        try:
            result = decode(event.payload, m.RequestResult)
        except WireError:
            return None
        if result.key != req.key:
            return None  # another CLI's answer: the topic is the practice CLI's, shared
        answered.append(result)
        return Answer(result.accepted, "applied" if result.accepted else result.reason)

    command = Command(
        tree.hub_command(), encode(req), req.key, [tree.request_result(PRACTICE_CLI_ID)], answer
    )
    outcome = deliver(*cli_identity(settings), command, timeout)
    return outcome, (answered[-1] if answered else None)


def send_command(settings: Settings, req: m.StatusChangeRequest, timeout: float) -> m.RequestResult | None:
    """The hub's answer to ``req``, or None when it did not come within ``timeout``."""
    return deliver_status_change(settings, req, timeout)[1]
