"""Publishing the outbox until the hub acknowledges it.

Runs on the kiosk's sync worker. New rows are sent at once when connected; every
unacknowledged row is replayed on each connect. Each publish carries its outbox seq as
the link's token, so a PUBACK names the row it moves from queued to sent. PUBACKs are
noted and settled in one commit when the worker's inbox runs dry (``settle_noted``), or
once a burst passes ``ACK_BATCH``.

Only the hub's acknowledgement (``acknowledge``) takes a row out of the queue. A row the
broker accepted but the hub has not acknowledged within ``ack_timeout_s`` is sent again
(``resend_overdue``), as ``sync.resend_policy`` decides: with back-off to a ceiling, only
while the hub is online (while it is away the broker queues for the hub's persistent
session), never while the site's bridge to a central hub is known down (``note_bridge``:
the broker queues for the bridge), and not as often while the hub is visibly working
through a backlog (it acknowledged something within the timeout). When the hub or the
bridge comes back the clocks restart (``hub_back``), so what is not acknowledged in
time after its return is sent once more.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection

from core.clock import Clock
from sync import messages as m
from sync import staff_messages as sm
from sync.link import LinkEvent, MqttLink
from sync.outbox import Outbox, OutboxItem
from sync.resend_policy import ResendPolicy

log = logging.getLogger(__name__)

# What goes through the outbox, and the leaf of its topic (kiosk/<id>/<leaf>).
OutboxMessage = m.CheckIn | m.StatusChangeRequest | sm.StaffEvent | sm.NoticeAck
_OUTBOX_LEAF: dict[type, str] = {
    m.CheckIn: "checkin",
    m.StatusChangeRequest: "request",
    sm.StaffEvent: "event",
    sm.NoticeAck: "ack",
}
_PUBLISH_BATCH = 500
ACK_BATCH = 300


def outbox_leaf(msg: OutboxMessage) -> str:
    return _OUTBOX_LEAF[type(msg)]


class OutboxSender:
    def __init__(
        self, outbox: Outbox, link: MqttLink, clock: Clock, stats: Counter[str], ack_timeout_s: float = 10.0
    ) -> None:
        self._outbox = outbox
        self._link = link
        self._clock = clock
        self._stats = stats
        self._ack_timeout_s = ack_timeout_s
        self._inflight: set[int] = set()  # seqs handed to this connection, PUBACK not yet seen
        self.policy = ResendPolicy(ack_timeout_s)  # which handed rows go again, when
        self._noted: list[LinkEvent] = []
        self._last_ack = float("-inf")  # monotonic time of the hub's last acknowledgement

    def add(self, key: str, kind: str, topic: str, payload: bytes, created_at: str) -> bool:
        """Commit first; publish only then (and only when connected)."""
        added = self._outbox.add(key, kind, topic, payload, created_at)
        if added and self._link.connected:
            item = self._outbox.pending_by_key(key)
            if item is not None:
                self._send(item)
        return added

    def replay(self) -> None:
        """Send every row the hub has not acknowledged, in order (on each connect)."""
        after = 0
        while self._link.connected:
            batch = self._outbox.pending(after_seq=after, limit=_PUBLISH_BATCH)
            if not batch:
                break
            for item in batch:
                self._send(item)
            self._outbox.mark_attempt([i.seq for i in batch])
            after = batch[-1].seq

    def resend_overdue(self, hub_online: bool) -> int:
        """Send again what the hub has not acknowledged in time (``sync.resend_policy``); the count."""
        if not self._link.connected:
            return 0
        now = self._clock.monotonic()
        busy = self._last_ack > now - self._ack_timeout_s  # the hub is acknowledging others
        overdue = self.policy.overdue(now, hub_online=hub_online, busy=busy, waiting=self._inflight)
        if not overdue:
            return 0
        items = self._outbox.unacknowledged(overdue)
        for seq in set(overdue) - {i.seq for i in items}:
            self.policy.done(seq)  # acknowledged meanwhile (e.g. a request's result)
        for item in items:
            self._send(item)
        self._outbox.mark_attempt([i.seq for i in items])
        self._stats["outbox_resent"] += len(items)
        return len(items)

    def owe_again(self) -> int:
        """The hub may have lost what it acknowledged (a new epoch): today's check-ins are
        queued again and sent; the count."""
        owed = self._outbox.owe_again()
        if owed:
            self._stats["outbox_owed_again"] += owed
            self.replay()
        return owed

    def hub_back(self) -> None:
        """The hub announced itself: what it has not acknowledged gets a fresh timeout."""
        self.policy.restart_clocks(self._clock.monotonic())

    def note_bridge(self, topic: str, payload: bytes) -> bool:
        """A site bridge's state (``$SYS/broker/connection/<bridge>/state``): True when
        ``topic`` is one. While it is down nothing is sent again."""
        now = self._clock
        return self.policy.note_bridge(topic, payload, now.now().isoformat(), now.monotonic())

    def acknowledge(self, keys: Collection[str], kinds: Collection[str]) -> list[OutboxItem]:
        """The hub stored these: they leave the queue. The rows acknowledged now."""
        self.settle_noted()  # a PUBACK noted before must not land on an acknowledged row later
        done = self._outbox.acknowledge(keys, self._clock.now().isoformat(), kinds)
        if done:
            self._last_ack = self._clock.monotonic()
        for item in done:
            self.policy.done(item.seq)
            self._inflight.discard(item.seq)
        self._stats["outbox_acked"] += len(done)
        return done

    def forget_inflight(self) -> None:
        """A new connection: what was handed to the last one is replayed, not awaited
        (PUBACKs that came before the loss still count)."""
        self.settle_noted()
        self._inflight.clear()
        self.policy.forget_all()

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
                # Kept: a refused message is never dropped; it is retried on the next connect
                # (not on the timeout: a refusal does not go away by itself).
                self.policy.done(seq)
                self._stats["outbox_refused"] += 1
                log.error("broker refused an outbox message", extra={"seq": seq, "reason": event.reason})
        self._outbox.mark_sent(done, self._clock.now().isoformat())
        self._stats["outbox_sent"] += len(done)

    def _send(self, item: OutboxItem) -> None:
        if self._link.publish(item.topic, item.payload, qos=1, token=item.seq):
            self._inflight.add(item.seq)
            self.policy.handed(item.seq, self._clock.monotonic())
