"""The kiosk side of sync: one worker ("kiosk-sync") owns the cache, the outbox and the
outbox sender.

The MQTT link's thread only posts ``LinkEvent``s to this worker; callers on other threads
(the check-in flow, the UI) submit work through ``call``. Listeners are called on the
worker right after a change is committed to the cache; a listener that needs another
thread (Qt) marshals the notification itself. A handler that raises (a hostile payload, a
listener, a storage error) is contained and counted by the worker (``worker_errors`` in
the health metrics); one that hangs makes ``alive()`` False, which the watchdog follows.
What the hub sends is applied by ``sync.kiosk_inbound``; what the kiosk sends goes through
the outbox (``sync.outbox_sender``).

The ``display`` receipt says what the kiosk shows. Without a screen it is published when
the cache applies a status (``"screen": false``). Once a screen is attached
(``attach_screen``) the renderer publishes it instead, through ``report_displayed``, after
a frame with those versions was presented; apply no longer does.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from config.settings import Settings
from core.clock import Clock, SystemClock
from core.errors import KioskError, SyncError
from core.worker import Batcher, Worker, WorkerStopped
from sync import messages as m
from sync.bridge_state import BRIDGE_STATES
from sync.cache import KioskCache
from sync.inbound import InboundDecoder
from sync.kiosk_inbound import KioskInbound
from sync.kiosk_report import (
    Freshness,
    Receipts,
    availability,
    cache_age_from_meta,
    flush_counters,
    kiosk_health,
)
from sync.link import LinkEvent, MqttLink, Will
from sync.outbox import Outbox
from sync.outbox_sender import OutboxMessage, OutboxSender, outbox_leaf
from sync.sync_change import ChangeKind, Listener, SyncChange, notify
from sync.topics import TopicTree
from sync.vault import cache_key_source
from sync.wire import Message, encode

log = logging.getLogger(__name__)
T = TypeVar("T")


class KioskSync:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        cache_path: str | Path | None = None,
        device_health: Callable[[], dict[str, m.DeviceState]] | None = None,
        metrics: Callable[[], dict[str, float]] | None = None,
        line: bool = False,
    ) -> None:
        """``line``: a phone line, which also reads the hub's caller-ID answers."""
        self.settings = settings
        self.kiosk_id = settings.kiosk.id
        self.tree = TopicTree(settings.kiosk.practice, settings.kiosk.site)
        self.clock = clock or SystemClock()
        self.cache_path = Path(cache_path or Path(settings.kiosk.state_dir) / "kiosk.sqlite")
        self._device_health = device_health or dict
        self._metrics = metrics or dict
        self._listeners: list[Listener] = []
        self._decoder = InboundDecoder(self.tree, today=lambda: self.clock.now().date())
        self._stats: Counter[str] = Counter()
        self._freshness = Freshness(self.clock)
        self._screen = False
        self._receipts = Receipts(self.kiosk_id, self.clock, self._stats)
        self._health_due = float("-inf")
        self._inbound = KioskInbound(
            self._decoder,
            self.clock,
            self._stats,
            cache=self._cache,
            sender=lambda: self.sender,
            notify=self._notify,
            headless_receipt=self._headless_receipt,
            mark_live=self._mark_live,
        )
        self.cache: KioskCache | None = None
        self._worker = Worker(
            "kiosk-sync",
            # Often enough to resend what the hub has not acknowledged in time; health
            # still goes out every health_interval_s (see _tick).
            tick_s=min(settings.kiosk.health_interval_s, max(0.25, settings.kiosk.ack_timeout_s / 4)),
            on_tick=self._tick,
            on_idle=self._on_idle,
            on_start=self._open,
            on_stop=self._close,
        )
        # The link's events reach the worker a network-loop burst at a time.
        self._events: Batcher[LinkEvent] = Batcher(self._worker, self._on_link)
        self.link = MqttLink(
            settings.broker,
            client_id=f"kiosk-{self.kiosk_id}",
            on_event=self._post_event,
            # and the site bridge's state: the outbox holds back resends while it is down
            subscriptions=[*self._subscriptions(line), BRIDGE_STATES],
            will=Will(
                self.tree.availability(self.kiosk_id), encode(m.KioskAvailability(self.kiosk_id, False))
            ),
        )

    def _subscriptions(self, line: bool) -> list[str]:
        if line:
            return self.tree.line_subscriptions(self.kiosk_id)
        return self.tree.kiosk_subscriptions(self.kiosk_id)

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        self._worker.start()
        if self._worker.start_error is not None:
            raise self._worker.start_error
        self.link.start()

    def stop(self) -> None:
        farewell = [(self.tree.availability(self.kiosk_id), encode(self._availability(online=False)))]
        self.link.stop(farewell=farewell)
        self._worker.stop(10)

    def alive(self, timeout: float = 5.0) -> bool:
        """The sync worker answers and the MQTT link's worker runs (for the systemd watchdog)."""
        if not (self.link.supervising() and self._worker.responsive()):
            return False
        try:
            return bool(self.call(lambda _cache: True, timeout))
        except (TimeoutError, WorkerStopped):
            return False

    @property
    def worker(self) -> Worker:
        return self._worker

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def attach_screen(self) -> None:
        """A screen will report what it drew (``report_displayed``): from now on, applying a
        status no longer publishes the receipt. Call before ``start``."""
        self._screen = True

    def report_displayed(self, versions: dict[str, int], screen: bool = True) -> None:
        """From any thread: a frame showing ``versions`` was presented; publish the receipt
        (on the sync worker; an unchanged receipt is not published again)."""
        self._worker.post(self._publish_receipt, dict(versions), screen)

    def set_health_sources(
        self,
        device_health: Callable[[], dict[str, m.DeviceState]] | None = None,
        metrics: Callable[[], dict[str, float]] | None = None,
    ) -> None:
        """Late-bound health sources (devices and the flow start after sync). Called on the
        worker at each health tick: each must be cheap and thread-safe."""
        if device_health is not None:
            self._device_health = device_health
        if metrics is not None:
            self._metrics = metrics

    # --- work submitted from other threads --------------------------------------------

    def call(self, fn: Callable[[KioskCache], T], timeout: float = 10.0) -> T:
        """Run ``fn(cache)`` on the sync worker and return its result."""
        return self._worker.call(lambda: fn(self._cache()), timeout=timeout)

    def submit(self, msg: OutboxMessage) -> bool:
        """Commit a check-in, request, staff event or acknowledgement to the outbox, then
        publish it if connected.

        Returns False when the same idempotency key is already queued. Raises
        ``StorageError`` when it could not be committed (e.g. a full disk).
        """
        return self.call(lambda _cache: self._enqueue(msg))

    # --- the worker -------------------------------------------------------------------

    def _open(self) -> None:
        self.cache = KioskCache.open(self.cache_path, cache_key_source(self.settings, self.cache_path))
        self.outbox = Outbox(self.cache.db)
        self.sender = OutboxSender(
            self.outbox, self.link, self.clock, self._stats, ack_timeout_s=self.settings.kiosk.ack_timeout_s
        )

    def _close(self) -> None:
        if self.cache is not None:
            self._flush_counters()
            self.cache.close()

    def _cache(self) -> KioskCache:
        if self.cache is None:
            raise SyncError("kiosk sync is not started")
        return self.cache

    def _post_event(self, event: LinkEvent) -> None:
        """On the link's thread: hand the event over, nothing else."""
        self._events.add(event)

    def _on_idle(self) -> None:
        self.sender.settle_noted()  # one commit for a burst of PUBACKs

    def _on_link(self, event: LinkEvent) -> None:
        if event.kind == "message" and self.sender.note_bridge(event.topic, event.payload):
            return
        if event.kind == "message":
            self._inbound.on_message(event.topic, event.payload)
        elif event.kind == "published":
            self.sender.note_ack(event)
        elif event.kind == "connected":
            self._on_connected()
        elif event.kind == "refused":  # kiosk.enrollment decides whether that means revoked
            self._notify(SyncChange("enrollment", reason=event.reason))
        elif event.kind == "disconnected":
            self.sender.forget_inflight()
            self._inbound.hub_online = False
            self._notify(SyncChange("link"))

    def _on_connected(self) -> None:
        log.info("connected to broker", extra={"protocol": self.link.protocol})
        self.sender.forget_inflight()
        self._publish(self.tree.availability(self.kiosk_id), self._availability(online=True), retain=True)
        self.sender.replay()
        if self._receipts.last is not None:  # the broker may have lost the retained one
            self._publish(self.tree.display(self.kiosk_id), self._receipts.last, retain=True)
        self._publish_health()
        self._notify(SyncChange("link"))

    # --- outbox -----------------------------------------------------------------------

    def _enqueue(self, msg: OutboxMessage) -> bool:
        topic = self.tree.kiosk(self.kiosk_id, outbox_leaf(msg))
        added = self.sender.add(msg.key, msg.KIND, topic, encode(msg), self.clock.now().isoformat())
        if added and isinstance(msg, m.CheckIn) and msg.outcome in m.ARRIVED:
            self._cache().mark_checked_in(msg.appointment_id)
        return added

    # --- presence, display, health ----------------------------------------------------

    def _availability(self, online: bool) -> m.KioskAvailability:
        return availability(self.kiosk_id, online, self.clock, self.cache)

    def _headless_receipt(self) -> None:
        """Without a screen the receipt is what the cache holds (with one, the screen
        reports what it drew: ``report_displayed``)."""
        if self._screen:
            return
        versions = {pid: s.version for pid, s in self._cache().statuses().items()}
        self._publish_receipt(versions, screen=False)

    def _publish_receipt(self, versions: dict[str, int], screen: bool) -> None:
        ack = self._receipts.next(versions, screen, self._cache().epoch())
        if ack is not None:
            self._publish(self.tree.display(self.kiosk_id), ack, retain=True)

    def _publish_health(self) -> None:
        self._publish(self.tree.health(self.kiosk_id), self.health(), retain=True)

    def health(self) -> m.KioskHealth:
        now = self.clock.now()
        return kiosk_health(
            self.kiosk_id,
            now,
            connected=self.link.connected,
            cache_age_s=self.cache_age_s(),
            outbox=self.outbox.report(now),
            worker=self._worker.health(),
            stats=self._stats,
            rejected=self._decoder.counts(),
            devices=self._device_health(),
            metrics=self._metrics(),
        )

    def _publish(self, topic: str, msg: Message, retain: bool = False) -> None:
        try:
            self.link.publish(topic, encode(msg), qos=1, retain=retain)
        except KioskError as exc:
            log.error("could not publish %s: %s", msg.KIND, exc)

    def _tick(self) -> None:
        self.sender.settle_noted()
        self.sender.resend_overdue(self._inbound.hub_online)
        mono = self.clock.monotonic()
        if mono < self._health_due:
            return
        self._health_due = mono + self.settings.kiosk.health_interval_s
        self._mark_live()
        self._flush_counters()
        if self.link.connected:
            self._publish_health()

    # --- freshness --------------------------------------------------------------------

    def is_live(self) -> bool:
        return self.link.connected and self._inbound.hub_online

    def _mark_live(self, force: bool = False) -> None:
        if self.is_live() and self.cache is not None:
            self._freshness.mark(self.cache, force)

    def cache_age_s(self) -> float:
        """0 while connected to a live hub; otherwise seconds since it last was (-1: never)."""
        if self.is_live():
            return 0.0
        return cache_age_from_meta(self._cache(), self.clock)

    def _flush_counters(self) -> None:
        if self.cache is not None:
            flush_counters(self.cache, self._decoder.counts())

    def _notify(self, change: SyncChange) -> None:
        notify(self._listeners, change, self._stats)


__all__ = [
    "ChangeKind",
    "KioskSync",
    "Listener",
    "OutboxMessage",
    "SyncChange",
    "SyncError",
    "cache_age_from_meta",
]
