"""Decode an incoming (topic, payload) into a typed message, or a counted rejection.

Shared by the kiosk and the hub so both reject bad input the same way.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from core.errors import WireError
from sync.topics import TopicTree, matches_route
from sync.wire import TOPIC_MISMATCH, Message, decode

log = logging.getLogger(__name__)

UNDECODABLE = "undecodable"  # the decoder itself failed on this payload


@dataclass(frozen=True)
class Rejected:
    topic: str
    reason: str
    detail: str


class InboundDecoder:
    """Turns raw MQTT messages into messages; counts what it rejects by reason."""

    def __init__(self, tree: TopicTree) -> None:
        self._tree = tree
        self.rejected: Counter[str] = Counter()

    def decode(self, topic: str, payload: bytes) -> Message | Rejected:
        route = self._tree.route(topic)
        if route is None:
            return self._reject(topic, "unknown_topic", "not a topic of this site's tree")
        if not payload:
            # An empty retained payload is how a retained message is cleared.
            return self._reject(topic, "empty", "empty payload")
        try:
            msg = decode(payload, route.kind)
        except WireError as exc:
            return self._reject(topic, exc.reason, exc.detail)
        except Exception as exc:  # noqa: BLE001 - hostile input must never reach a handler
            # A decoder bug, not the sender's fault alone; counted apart so it gets noticed.
            return self._reject(topic, UNDECODABLE, type(exc).__name__)
        if not matches_route(msg, route):
            return self._reject(topic, TOPIC_MISMATCH, "ids in the payload differ from the topic")
        return msg

    def _reject(self, topic: str, reason: str, detail: str) -> Rejected:
        self.rejected[reason] += 1
        # The detail names fields and types, never field values that could be patient data.
        log.warning("rejected message", extra={"topic": topic, "reason": reason, "detail": detail[:200]})
        return Rejected(topic, reason, detail)
