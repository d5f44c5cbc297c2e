"""Everything the hub publishes leaves through ``Outgoing.publish``: stamped with the
store's epoch, checked by the guard (``hub.publish_guard``: what a kiosk's own decoder
would refuse is held back, counted and escalated at the hub's next tick), noted as the
hub's own retained state (``hub.own_topics``) and handed to the link's thread. Then the
listeners (the dashboard, the practice system's feed) are told, after the commit the
message follows; a listener that raises is counted and never stops the hub."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable

from core.errors import KioskError
from hub.epoch import stamp
from hub.publish_guard import PublishGuard
from sync import messages as m
from sync.link import MqttLink
from sync.wire import Message, encode

log = logging.getLogger(__name__)

Listener = Callable[[str, Message], None]


class Outgoing:
    """``epoch()`` is the store's current epoch; ``retained(topic, payload)`` notes a
    retained message the hub published (the hub watches its own retained topics)."""

    def __init__(
        self,
        link: MqttLink,
        guard: PublishGuard,
        stats: Counter[str],
        *,
        epoch: Callable[[], m.Epoch],
        retained: Callable[[str, bytes], None],
    ) -> None:
        self._link = link
        self._guard = guard
        self._stats = stats
        self._epoch = epoch
        self._retained = retained
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def publish_all(self, out: Iterable[tuple[str, Message, bool]]) -> None:
        for topic, msg, retain in out:
            self.publish(topic, msg, retain)

    def publish(self, topic: str, msg: Message, retain: bool) -> None:
        msg = stamp(msg, self._epoch())  # the versioned streams carry the store's epoch
        try:
            checked = self._guard.check(topic, msg, encode(msg))
            if checked is None:
                return  # a kiosk would refuse it: counted, escalated at the next tick
            msg, data = checked
            if retain:
                self._retained(topic, data)
            if not self._link.publish(topic, data, qos=1, retain=retain):
                self._stats["publish_deferred"] += 1  # republished on the next connect
        except KioskError as exc:
            log.error("hub could not publish %s: %s", msg.KIND, exc)
        self.notify(msg.KIND, msg)  # after the commit it follows: what the dashboard pushes

    def notify(self, event: str, msg: Message) -> None:
        for listener in self._listeners:
            try:
                listener(event, msg)
            except Exception as exc:  # noqa: BLE001 - a broken listener must not stop the hub
                self._stats["listener_errors"] += 1
                log.error("hub listener failed: %s", type(exc).__name__)


__all__ = ["Listener", "Outgoing"]
