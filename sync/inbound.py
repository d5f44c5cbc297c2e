"""Decode an incoming (topic, payload) into a typed message, or a counted rejection.

Shared by the kiosk and the hub so both reject bad input the same way. ``decode`` never
raises: any bytes give a message or a ``Rejected`` with its reason, counted in
``rejected``. A rejection names the topic, the reason and the field, never a value.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from core.errors import WireError
from sync import messages as m
from sync.schedule_rows import SCHEDULE_ROW, BadRow, RowDecoded, decode_schedule
from sync.topics import Route, TopicTree, matches_route
from sync.wire import TOPIC_MISMATCH, Message, decode

log = logging.getLogger(__name__)

UNDECODABLE = "undecodable"  # the decoder itself failed on this payload
WRONG_DAY = "wrong_day"  # a schedule for a day the receiver is not serving
UNKNOWN_TOPIC = "unknown_topic"
EMPTY = "empty"

# A kiosk serves today; a hub may publish tomorrow's day early and a clock may be off by a
# few minutes around midnight, so one day either side is accepted and nothing further.
DAY_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class Rejected:
    topic: str
    reason: str
    detail: str


class InboundDecoder:
    """Turns raw MQTT messages into messages; counts what it rejects by reason.

    ``today``, when given, makes day-scoped messages (schedules, appointment changes)
    dated more than ``DAY_WINDOW`` away from it a ``wrong_day`` rejection, so a schedule
    for 9999-12-31 never replaces the day a kiosk serves.
    """

    def __init__(self, tree: TopicTree, today: Callable[[], date] | None = None) -> None:
        self._tree = tree
        self._today = today
        self.rejected: Counter[str] = Counter()  # whole messages, by reason
        self.left_out: Counter[str] = Counter()  # rows of a taken schedule (``schedule_row``)

    def counts(self) -> Counter[str]:
        """What a kiosk reports as ``rejected``: whole messages by reason, and the schedule
        rows it left out under ``schedule_row``."""
        return self.rejected + self.left_out

    def decode(self, topic: str, payload: bytes) -> Message | Rejected:
        return self.decode_rows(topic, payload)[0]

    def decode_rows(self, topic: str, payload: bytes) -> tuple[Message | Rejected, tuple[BadRow, ...]]:
        """As ``decode``, and the rows of a schedule it left out (a schedule whose envelope
        is sound is taken with the rows that decode: one bad row costs that row, not the
        day). Each left-out row is counted in ``left_out`` under ``schedule_row``."""
        route = self._tree.route(topic)
        if route is None:
            return self._reject(topic, UNKNOWN_TOPIC, "not a topic of this site's tree"), ()
        bad: tuple[BadRow, ...] = ()
        msg = self._decode(route, topic, payload)
        if isinstance(msg, RowDecoded):
            bad = msg.bad
            msg = self._served(route, topic, msg.schedule)
            if bad and not isinstance(msg, Rejected):
                self.left_out[SCHEDULE_ROW] += len(bad)
                for row in bad:  # ids and field names only
                    log.warning(
                        "schedule row left out",
                        extra={"topic": topic, "appointment": row.appointment_id, "field": row.field},
                    )
        return msg, bad

    def _decode(self, route: Route, topic: str, payload: bytes) -> Message | Rejected | RowDecoded:
        if not payload:
            # An empty retained payload is how a retained message is cleared.
            return self._reject(topic, EMPTY, "empty payload")
        try:
            if route.kind is m.ProviderSchedule:
                return decode_schedule(payload)
            msg = decode(payload, route.kind)
        except WireError as exc:
            return self._reject(topic, exc.reason, exc.detail)
        except Exception as exc:  # noqa: BLE001 - hostile input must never reach a handler
            # A decoder bug, not the sender's fault alone; counted apart so it gets noticed.
            return self._reject(topic, UNDECODABLE, type(exc).__name__)
        return self._served(route, topic, msg)

    def _served(self, route: Route, topic: str, msg: Message) -> Message | Rejected:
        if not matches_route(msg, route):
            return self._reject(topic, TOPIC_MISMATCH, "ids in the payload differ from the topic")
        if not self._on_a_served_day(msg):
            return self._reject(topic, WRONG_DAY, f"{msg.KIND}.date: not within a day of today")
        return msg

    def _on_a_served_day(self, msg: Message) -> bool:
        if self._today is None or not isinstance(msg, (m.ProviderSchedule, m.AppointmentChange)):
            return True
        # The validators made sure it is a real date.
        return abs(date.fromisoformat(msg.date) - self._today()) <= DAY_WINDOW

    def _reject(self, topic: str, reason: str, detail: str) -> Rejected:
        self.rejected[reason] += 1
        # The detail names fields and types, never field values that could be patient data.
        log.warning("rejected message", extra={"topic": topic, "reason": reason, "detail": detail[:200]})
        return Rejected(topic, reason, detail)
