"""What the hub does with its own retained topics, on the hub worker: it keeps its epoch
(``hub/epoch.py``), starts a new one when the broker holds a future the store does not
have, and restores what someone else's message replaced (``hub/retained_guard.py``).

The hub service calls ``on_message`` for every message on ``TopicTree.hub_owned_retained``
topics (its own echoes included), ``published`` for every retained publish, ``tick``
each second and ``start_epoch`` when its desk sees a kiosk display a future."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from core.clock import Clock
from hub import epoch as ep
from hub.retained_guard import RetainedGuard
from hub.store import HubStore
from sync import messages as m
from sync.inbound import InboundDecoder, Rejected
from sync.link import MqttLink
from sync.topics import TopicTree
from sync.wire import Message

log = logging.getLogger(__name__)

Publish = Callable[[str, Message, bool], None]


class OwnTopics:
    def __init__(
        self,
        tree: TopicTree,
        clock: Clock,
        link: MqttLink,
        publish: Publish,
        republish_all: Callable[[], None],
    ) -> None:
        self.tree = tree
        self.clock = clock
        self.link = link
        self.guard = RetainedGuard()
        self.epoch = m.Epoch()
        self.stats: Counter[str] = Counter()
        self.stopping = False  # set as the hub leaves: its farewell is its own, not to restore
        self._publish = publish
        self._republish_all = republish_all
        self._decoder = InboundDecoder(tree)  # its own counts: these are not the kiosks' rejections

    def open(self, store: HubStore) -> None:
        self.epoch = store.epochs.current()
        log.info("hub epoch", extra={"epoch": str(self.epoch)})

    def subscriptions(self) -> list[str]:
        return self.tree.hub_owned_retained()

    def owns(self, topic: str) -> bool:
        return self.tree.is_hub_owned_retained(topic)

    def published(self, topic: str, payload: bytes) -> None:
        if self.owns(topic):
            self.guard.published(topic, payload)

    # --- what arrives on our topics -----------------------------------------------------

    def on_message(self, store: HubStore, topic: str, payload: bytes, retained: bool) -> None:
        if payload == self.guard.own(topic):  # our own echo (most of what comes): nothing to read
            self.guard.seen(topic, payload, self.clock.monotonic())
            return
        msg = self._decoder.decode(topic, payload)
        if not isinstance(msg, Rejected):
            reason, seen = self._lost_future(store, msg)
            if reason:
                self.start_epoch(store, reason, seen)
                return
        if self.stopping:
            return
        if retained:
            # What the broker held when we subscribed; this connect republished ours after it.
            # Only a status we have never published here (none in the store) is left to fix.
            if self.guard.own(topic) is None and _foreign_status(msg, self.epoch):
                self.restore(store, topic, "retained")
            return
        if self.guard.seen(topic, payload, self.clock.monotonic()):
            self.restore(store, topic, "foreign")

    def _lost_future(self, store: HubStore, msg: Message) -> tuple[str, m.Epoch]:
        now_s = self.clock.now().timestamp()
        if isinstance(msg, m.ProviderStatus):
            issued = store.epochs.issued_status_version(msg.provider_id)
            return ep.lost_future(self.epoch, msg.epoch, msg.version, issued, now_s), msg.epoch
        if isinstance(msg, m.ProviderSchedule):
            issued = store.schedule_versions().get(msg.provider_id, 0)
            return ep.lost_future(self.epoch, msg.epoch, msg.version, issued, now_s), msg.epoch
        if isinstance(msg, m.HubAvailability) and msg.online:
            return ep.lost_future(self.epoch, msg.epoch, 0, 0, now_s), msg.epoch
        return "", m.Epoch()

    def tick(self, store: HubStore) -> None:
        for topic in self.guard.due(self.clock.monotonic()):
            if not self.stopping:
                self.restore(store, topic, "replayed")

    def restore(self, store: HubStore, topic: str, why: str) -> None:
        """Publish our own state on ``topic`` again (ids only in the log)."""
        mine = self.guard.own(topic)
        if mine is not None:
            self.link.publish(topic, mine, qos=1, retain=True)
        else:
            route = self.tree.route(topic)
            if route is None or route.kind is not m.ProviderStatus:
                return
            status = {s.provider_id: s for s in store.statuses()}.get(route.provider_id)
            if status is None:
                return  # not a provider of ours
            self._publish(topic, status, True)
        self.stats["retained_restored"] += 1
        with store.transaction():
            store.bump({"retained_restored": 1})
        log.warning("retained state restored", extra={"topic": topic, "why": why})

    # --- epochs ---------------------------------------------------------------------------

    def start_epoch(self, store: HubStore, reason: str, above: m.Epoch | None = None) -> m.Epoch:
        """A new epoch above ours and ``above``; everything retained is published again under
        it, with an on-time status (version 0) for a provider with none, so no retained
        status of an older epoch outlives it."""
        now = self.clock.now()
        previous = self.epoch
        with store.transaction():
            self.epoch = store.epochs.start(now, reason, above)
            store.audit.append(
                now.isoformat(timespec="seconds"),
                "hub",
                "",
                "",
                "epoch_started",
                epoch=str(self.epoch),
                previous=str(previous),
                seen=str(above or m.Epoch()),
                reason=reason,
            )
        self.stats["epochs_started"] += 1
        log.warning(
            "hub epoch started", extra={"epoch": str(self.epoch), "previous": str(previous), "reason": reason}
        )
        self._republish_all()
        for status in store.statuses():
            if status.version == 0:
                self._publish(self.tree.status(status.provider_id), status, True)
        return self.epoch


def _foreign_status(msg: Message | Rejected, epoch: m.Epoch) -> bool:
    if isinstance(msg, Rejected):
        return True
    return isinstance(msg, m.ProviderStatus) and msg.epoch != epoch


__all__ = ["OwnTopics"]
