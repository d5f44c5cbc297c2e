"""Publishing the outbox: send new items at once when connected, replay everything on
each connect, and settle PUBACKs (success: mark sent; failure: keep for the next connect).

Runs on the kiosk's sync worker. Each publish carries its outbox seq as the link's token,
so a PUBACK names the row it settles. PUBACKs are noted as they come and settled in one
commit when the worker's inbox runs dry (``settle_noted``), or once a burst passes
``ACK_BATCH``: a replay of thousands costs a few commits, not one each.
"""

from __future__ import annotations

import logging
from collections import Counter

from core.clock import Clock
from sync.link import LinkEvent, MqttLink
from sync.outbox import Outbox

log = logging.getLogger(__name__)

_PUBLISH_BATCH = 500
ACK_BATCH = 300


class OutboxSender:
    def __init__(self, outbox: Outbox, link: MqttLink, clock: Clock, stats: Counter[str]) -> None:
        self._outbox = outbox
        self._link = link
        self._clock = clock
        self._stats = stats
        self._inflight: set[int] = set()  # outbox seqs handed to this connection
        self._noted: list[LinkEvent] = []

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

    def forget_inflight(self) -> None:
        """A new connection: what was handed to the last one is replayed, not awaited
        (PUBACKs that came before the loss still count)."""
        self.settle_noted()
        self._inflight.clear()

    def note_ack(self, event: LinkEvent) -> None:
        """A PUBACK (or a refusal): settled with the others of its burst."""
        self._noted.append(event)
        if len(self._noted) >= ACK_BATCH:
            self.settle_noted()

    def settle_noted(self) -> None:
        if self._noted:
            events, self._noted = self._noted, []
            self.settle(events)

    def settle(self, events: list[LinkEvent]) -> None:
        done: list[int] = []
        for event in events:
            seq = event.token
            if not isinstance(seq, int) or seq not in self._inflight:
                continue
            self._inflight.discard(seq)
            if event.ok:
                done.append(seq)
            else:
                # Kept: a refused message is never dropped; it is retried on the next connect.
                self._stats["outbox_refused"] += 1
                log.error("broker refused an outbox message", extra={"seq": seq, "reason": event.reason})
        self._outbox.mark_sent(done, self._clock.now().isoformat())
        self._stats["outbox_sent"] += len(done)

    def _send(self, seq: int, topic: str, payload: bytes) -> None:
        if self._link.publish(topic, payload, qos=1, token=seq):
            self._inflight.add(seq)
