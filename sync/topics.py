"""The topic tree: ``clinic/v1/<practice>/<site>/...`` (see docs/protocol.md).

``TopicTree`` builds topics for one site and routes an incoming topic to the message
kind it must carry, plus the ids the topic names (which must match the payload).
"""

from __future__ import annotations

from dataclasses import dataclass

from sync import messages as m
from sync import query_messages as qm
from sync import staff_messages as sm
from sync.revocation import KioskRevoked
from sync.wire import Message

ROOT = "clinic/v1"


@dataclass(frozen=True)
class Route:
    """What an incoming topic says: the kind it carries and the ids it names."""

    kind: type[Message]
    provider_id: str = ""
    kiosk_id: str = ""


@dataclass(frozen=True)
class TopicTree:
    practice: str
    site: str

    @property
    def base(self) -> str:
        return f"{ROOT}/{self.practice}/{self.site}"

    # Hub-written topics.
    def schedule(self, provider_id: str) -> str:
        return f"{self.base}/schedule/{provider_id}"

    def appointment(self, provider_id: str) -> str:
        return f"{self.base}/appointment/{provider_id}"

    def status(self, provider_id: str) -> str:
        return f"{self.base}/status/{provider_id}"

    def hub_availability(self) -> str:
        return f"{self.base}/hub/availability"

    def hub_command(self) -> str:
        return f"{self.base}/hub/command"

    def hub_command_ack(self) -> str:
        return f"{self.base}/hub/command/ack"

    def hub_query(self) -> str:
        return f"{self.base}/hub/query"

    def hub_answer(self, client: str) -> str:
        return f"{self.base}/hub/answer/{client}"

    def request_result(self, kiosk_id: str) -> str:
        return f"{self.base}/hub/result/{kiosk_id}"

    def hub_ack(self, kiosk_id: str) -> str:
        return f"{self.base}/hub/ack/{kiosk_id}"

    def notice(self, notice_id: str) -> str:
        return f"{self.base}/hub/notice/{notice_id}"

    def alert(self, escalation_id: str) -> str:
        return f"{self.base}/hub/alert/{escalation_id}"

    def receipt(self, provider_id: str) -> str:
        return f"{self.base}/hub/receipt/{provider_id}"

    def affected(self, provider_id: str) -> str:
        return f"{self.base}/hub/affected/{provider_id}"

    def revoked(self, kiosk_id: str) -> str:
        return f"{self.base}/hub/revoked/{kiosk_id}"

    def caller_match(self, line_id: str) -> str:
        """The hub's answer to a phone line's caller-ID lookup: only that line reads it."""
        return f"{self.base}/hub/caller/{line_id}"

    # Kiosk-written topics.
    def kiosk(self, kiosk_id: str, leaf: str) -> str:
        return f"{self.base}/kiosk/{kiosk_id}/{leaf}"

    def availability(self, kiosk_id: str) -> str:
        return self.kiosk(kiosk_id, "availability")

    def checkin(self, kiosk_id: str) -> str:
        return self.kiosk(kiosk_id, "checkin")

    def request(self, kiosk_id: str) -> str:
        return self.kiosk(kiosk_id, "request")

    def display(self, kiosk_id: str) -> str:
        return self.kiosk(kiosk_id, "display")

    def health(self, kiosk_id: str) -> str:
        return self.kiosk(kiosk_id, "health")

    def caller_lookup(self, line_id: str) -> str:
        return self.kiosk(line_id, "caller")

    # Subscriptions.
    def kiosk_subscriptions(self, kiosk_id: str) -> list[str]:
        return [
            f"{self.base}/schedule/+",
            f"{self.base}/appointment/+",
            f"{self.base}/status/+",
            self.hub_availability(),
            self.request_result(kiosk_id),
            self.hub_ack(kiosk_id),
            f"{self.base}/hub/notice/+",
            f"{self.base}/hub/receipt/+",
            self.revoked(kiosk_id),
        ]

    def line_subscriptions(self, line_id: str) -> list[str]:
        """A phone line's: a kiosk's, and the answers to its caller-ID lookups."""
        return [*self.kiosk_subscriptions(line_id), self.caller_match(line_id)]

    def hub_subscriptions(self) -> list[str]:
        leaves = [f"{self.base}/kiosk/+/{leaf}" for leaf in _KIOSK_LEAVES]
        return [*leaves, self.hub_command(), self.hub_command_ack(), self.hub_query()]

    def hub_owned_retained(self) -> list[str]:
        """The retained state only the hub writes and watches (``hub/retained_guard.py``):
        a message there that is not the hub's own is replaced by the hub's."""
        return [
            f"{self.base}/status/+",
            f"{self.base}/schedule/+",
            self.hub_availability(),
            f"{self.base}/hub/notice/+",
            f"{self.base}/hub/revoked/+",
        ]

    def is_hub_owned_retained(self, topic: str) -> bool:
        prefix = self.base + "/"
        if not topic.startswith(prefix):
            return False
        parts = topic[len(prefix) :].split("/")
        return (
            (len(parts) == 2 and parts[0] in ("status", "schedule"))
            or parts == ["hub", "availability"]
            or (len(parts) == 3 and parts[:2] in (["hub", "notice"], ["hub", "revoked"]))
        )

    def route(self, topic: str) -> Route | None:
        """The route of ``topic``, or None when it is not a topic of this site's tree."""
        prefix = self.base + "/"
        if not topic.startswith(prefix):
            return None
        head, *rest = topic[len(prefix) :].split("/")
        if head in _PROVIDER_LEAVES and len(rest) == 1:
            return Route(_PROVIDER_LEAVES[head], provider_id=rest[0])
        if head == "kiosk" and len(rest) == 2 and rest[1] in _KIOSK_LEAVES:
            return Route(_KIOSK_LEAVES[rest[1]], kiosk_id=rest[0])
        if head == "hub":
            return _hub_route(rest)
        return None


def _hub_route(rest: list[str]) -> Route | None:
    fixed = _HUB_LEAVES.get(tuple(rest))
    if fixed is not None:
        return Route(fixed)
    match rest:
        case ["answer", _client]:
            return Route(qm.HubQueryAnswer)
        case ["result", kiosk]:
            return Route(m.RequestResult, kiosk_id=kiosk)
        case ["ack", kiosk]:
            return Route(m.HubAck, kiosk_id=kiosk)
        case ["notice", _id]:
            return Route(sm.SupervisorNotice)
        case ["alert", _id]:
            return Route(sm.Escalation)
        case ["receipt", provider]:
            return Route(sm.DisplayReceipt, provider_id=provider)
        case ["affected", provider]:
            return Route(sm.AffectedAppointments, provider_id=provider)
        case ["revoked", kiosk]:
            return Route(KioskRevoked, kiosk_id=kiosk)
        case ["caller", _line]:  # only that line's login may read it (sync/acl.py)
            return Route(m.CallerMatch)
    return None


_HUB_LEAVES: dict[tuple[str, ...], type[Message]] = {
    ("availability",): m.HubAvailability,
    ("command",): m.StatusChangeRequest,
    ("command", "ack"): sm.NoticeAck,
    ("query",): qm.HubQuery,
}

_PROVIDER_LEAVES: dict[str, type[Message]] = {
    "schedule": m.ProviderSchedule,
    "appointment": m.AppointmentChange,
    "status": m.ProviderStatus,
}

_KIOSK_LEAVES: dict[str, type[Message]] = {
    "availability": m.KioskAvailability,
    "checkin": m.CheckIn,
    "request": m.StatusChangeRequest,
    "display": m.DisplayAck,
    "health": m.KioskHealth,
    "event": sm.StaffEvent,
    "ack": sm.NoticeAck,
    "caller": m.CallerLookup,  # a phone line's caller-ID lookup (hub/caller_match.py)
}


def matches_route(msg: Message, route: Route) -> bool:
    """True when the ids a payload carries agree with the ids its topic names."""
    provider = getattr(msg, "provider_id", None)
    if route.provider_id and provider != route.provider_id:
        return False
    kiosk = getattr(msg, "kiosk_id", None)
    return not (route.kiosk_id and kiosk != route.kiosk_id)
