"""Publishing the outbox: send new items at once when connected, replay everything on
each connect, and settle PUBACKs (success: mark sent; failure: keep for the next connect).

Runs on the kiosk's sync loop thread; ``take_queued_acks`` lets a long replay settle the
PUBACKs that arrived meanwhile in one transaction instead of one each.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from core.clock import Clock
from sync.link import LinkEvent, MqttLink
from sync.outbox import Outbox

log = logging.getLogger(__name__)

_PUBLISH_BATCH = 500


class OutboxSender:
    def __init__(
        self,
        outbox: Outbox,
        link: MqttLink,
        clock: Clock,
        stats: Counter[str],
        take_queued_acks: Callable[[], list[LinkEvent]],
    ) -> None:
        self._outbox = outbox
        self._link = link
        self._clock = clock
        self._stats = stats
        self._take_queued_acks = take_queued_acks
        self._inflight: dict[int, int] = {}  # paho mid -> outbox seq

    def add(self, key: str, kind: str, topic: str, payload: bytes, created_at: str) -> bool:
        """Commit first; publish only then (and only when connected)."""
        added = self._outbox.add(key, kind, topic, payload, created_at)
        if added and self._link.connected:
            item = self._outbox.pending_by_key(key)
            if item is not None:
                self._send(item.seq, item.topic, item.payload)
        return added

    def replay(self) -> None:
        after = 0
        while self._link.connected:
            batch = self._outbox.pending(after_seq=after, limit=_PUBLISH_BATCH)
            if not batch:
                break
            for item in batch:
                self._send(item.seq, item.topic, item.payload)
            self._outbox.mark_attempt([i.seq for i in batch])
            after = batch[-1].seq
            self.settle(self._take_queued_acks())

    def forget_inflight(self) -> None:
        """A new connection: earlier message ids mean nothing now (replay resends)."""
        self._inflight.clear()

    def settle(self, events: list[LinkEvent]) -> None:
        done: list[int] = []
        for event in events:
            seq = self._inflight.pop(event.mid, None)
            if seq is None:
                continue
            if event.ok:
                done.append(seq)
            else:
                # Kept: a refused message is never dropped; it is retried on the next connect.
                self._stats["outbox_refused"] += 1
                log.error("broker refused an outbox message", extra={"seq": seq, "reason": event.reason})
        self._outbox.mark_sent(done, self._clock.now().isoformat())
        self._stats["outbox_sent"] += len(done)

    def _send(self, seq: int, topic: str, payload: bytes) -> None:
        info = self._link.publish(topic, payload, qos=1)
        if info is not None:
            self._inflight[info.mid] = seq
