"""The kiosk side of sync: one worker ("kiosk-sync") owns the cache, the outbox and the
outbox sender.

The MQTT link's thread only posts ``LinkEvent``s to this worker; callers on other threads
(the check-in flow, the UI) submit work through ``call``. Listeners are called on the
worker right after a change is committed to the cache; a listener that needs another
thread (Qt) marshals the notification itself. A handler that raises (a hostile payload, a
listener, a storage error) is contained and counted by the worker (``worker_errors`` in
the health metrics); one that hangs makes ``alive()`` False, which the watchdog follows.

The ``display`` receipt says what the kiosk shows. Without a screen it is published when
the cache applies a status (``"screen": false``). Once a screen is attached
(``attach_screen``) the renderer publishes it instead, through ``report_displayed``, after
a frame with those versions was presented; apply no longer does.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, TypeVar

from config.settings import Settings
from core.clock import Clock, SystemClock
from core.errors import KioskError, SyncError
from core.version import __version__
from core.worker import Batcher, Worker, WorkerStopped
from sync import messages as m
from sync import staff_messages as sm
from sync.cache import Applied, KioskCache
from sync.inbound import InboundDecoder, Rejected
from sync.link import LinkEvent, MqttLink, Will
from sync.outbox import Outbox
from sync.outbox_sender import OutboxSender
from sync.topics import TopicTree
from sync.wire import Message, encode

log = logging.getLogger(__name__)
T = TypeVar("T")

ChangeKind = Literal["schedule", "appointment", "status", "link", "hub", "result", "staff", "outbox"]
OutboxMessage = m.CheckIn | m.StatusChangeRequest | sm.StaffEvent | sm.NoticeAck
_OUTBOX_LEAF: dict[type, str] = {
    m.CheckIn: "checkin",
    m.StatusChangeRequest: "request",
    sm.StaffEvent: "event",
    sm.NoticeAck: "ack",
}
# What a HubAck settles; a status request is settled by its RequestResult instead (so the
# kiosk holds a pending request until the answer itself has arrived).
_ACKED_BY_HUB_ACK = ("checkin", "staff_event", "notice_ack")
_ACKED_BY_RESULT = ("status_request",)
_LIVE_META = "last_live_at"
_LIVE_WRITE_EVERY_S = 5.0


@dataclass(frozen=True)
class SyncChange:
    """What a listener is told: something of ``kind`` changed (details are in the cache)."""

    kind: ChangeKind
    provider_id: str = ""
    version: int = 0
    result: m.RequestResult | None = None
    message: Message | None = None  # a staff notice or display receipt
    keys: tuple[str, ...] = ()  # "outbox": the keys the hub acknowledged just now


Listener = Callable[[SyncChange], None]


class KioskSync:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        cache_path: str | Path | None = None,
        device_health: Callable[[], dict[str, m.DeviceState]] | None = None,
        metrics: Callable[[], dict[str, float]] | None = None,
    ) -> None:
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
        self._hub_online = False
        self._live_written = float("-inf")
        self._screen = False
        self._receipt: m.DisplayAck | None = None  # the last one published
        self._health_due = float("-inf")
        self._on_kind: dict[type, Callable[[Message], Applied | None]] = {
            m.ProviderStatus: self._apply_status,
            m.ProviderSchedule: self._apply_schedule,
            m.AppointmentChange: self._apply_appointment,
            m.HubAvailability: self._on_hub_availability,
            m.RequestResult: self._on_result,
            m.HubAck: self._on_hub_ack,
            sm.SupervisorNotice: self._on_staff,
            sm.DisplayReceipt: self._on_staff,
        }
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
            subscriptions=self.tree.kiosk_subscriptions(self.kiosk_id),
            will=Will(
                self.tree.availability(self.kiosk_id), encode(m.KioskAvailability(self.kiosk_id, False))
            ),
        )

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
        self.cache = KioskCache.open(self.cache_path)
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
        if event.kind == "message":
            self._on_message(event.topic, event.payload)
        elif event.kind == "published":
            self.sender.note_ack(event)
        elif event.kind == "connected":
            self._on_connected()
        elif event.kind == "disconnected":
            self.sender.forget_inflight()
            self._hub_online = False
            self._notify(SyncChange("link"))

    def _on_connected(self) -> None:
        log.info("connected to broker", extra={"protocol": self.link.protocol})
        self.sender.forget_inflight()
        self._publish(self.tree.availability(self.kiosk_id), self._availability(online=True), retain=True)
        self.sender.replay()
        if self._receipt is not None:  # the broker may have lost the retained one
            self._publish(self.tree.display(self.kiosk_id), self._receipt, retain=True)
        self._publish_health()
        self._notify(SyncChange("link"))

    # --- inbound messages -------------------------------------------------------------

    def _on_message(self, topic: str, payload: bytes) -> None:
        msg = self._decoder.decode(topic, payload)
        if isinstance(msg, Rejected):
            return
        handler = self._on_kind.get(type(msg))
        applied = handler(msg) if handler is not None else None
        if applied is not None:
            self._stats[f"applied_{applied.decision}"] += 1
        self._mark_live()

    def _apply_status(self, msg: Message) -> Applied | None:
        if not isinstance(msg, m.ProviderStatus):
            return None
        applied = self._cache().apply_status(msg, self.clock.now().isoformat())
        if applied.changed:
            self._notify(SyncChange("status", msg.provider_id, msg.version))
            if not self._screen:
                self._publish_display_ack()
        return applied

    def _apply_schedule(self, msg: Message) -> Applied | None:
        if not isinstance(msg, m.ProviderSchedule):
            return None
        applied = self._cache().apply_schedule(msg, self.clock.now().isoformat())
        if applied.changed:
            self._notify(SyncChange("schedule", msg.provider_id, msg.version))
        return applied

    def _apply_appointment(self, msg: Message) -> Applied | None:
        if not isinstance(msg, m.AppointmentChange):
            return None
        applied = self._cache().apply_appointment_change(msg)
        if applied.changed:
            self._notify(SyncChange("appointment", msg.provider_id, msg.version))
        return applied

    def _on_hub_availability(self, msg: Message) -> None:
        if not isinstance(msg, m.HubAvailability):
            return
        if not msg.online:
            self._mark_live(force=True)  # in step until this very moment
        elif not self._hub_online:
            self.sender.hub_back()
        self._hub_online = msg.online
        self._mark_live(force=True)
        self._notify(SyncChange("hub"))

    def _on_result(self, msg: Message) -> None:
        if isinstance(msg, m.RequestResult):
            # The hub recorded the request with this result in one commit: the answer is
            # the request's acknowledgement. Told to the listeners first, then settled.
            self._notify(SyncChange("result", msg.provider_id, msg.status_version, result=msg))
            self._settle_acked([msg.key], _ACKED_BY_RESULT)

    def _on_hub_ack(self, msg: Message) -> None:
        if isinstance(msg, m.HubAck):
            self._settle_acked(msg.keys, _ACKED_BY_HUB_ACK)

    def _settle_acked(self, keys: list[str], kinds: tuple[str, ...]) -> None:
        done = self.sender.acknowledge(keys, kinds)
        if done:
            self._notify(SyncChange("outbox", keys=tuple(item.key for item in done)))

    def _on_staff(self, msg: Message) -> None:
        self._notify(SyncChange("staff", getattr(msg, "provider_id", ""), message=msg))

    # --- outbox -----------------------------------------------------------------------

    def _enqueue(self, msg: OutboxMessage) -> bool:
        topic = self.tree.kiosk(self.kiosk_id, _OUTBOX_LEAF[type(msg)])
        added = self.sender.add(msg.key, msg.KIND, topic, encode(msg), self.clock.now().isoformat())
        if added and isinstance(msg, m.CheckIn) and msg.outcome in m.ARRIVED:
            self._cache().mark_checked_in(msg.appointment_id)
        return added

    # --- presence, display, health ----------------------------------------------------

    def _availability(self, online: bool) -> m.KioskAvailability:
        summary = self.cache.summary() if self.cache is not None and online else m.CacheSummary()
        return m.KioskAvailability(
            self.kiosk_id,
            online,
            software_version=__version__,
            at=self.clock.now().isoformat(),
            cache=summary,
        )

    def _publish_display_ack(self) -> None:
        """Headless: the receipt is what the cache holds."""
        versions = {pid: s.version for pid, s in self._cache().statuses().items()}
        self._publish_receipt(versions, screen=False)

    def _publish_receipt(self, versions: dict[str, int], screen: bool) -> None:
        last = self._receipt
        if last is not None and (last.versions, last.screen) == (versions, screen):
            return
        ack = m.DisplayAck(self.kiosk_id, versions, at=self.clock.now().isoformat(), screen=screen)
        self._receipt = ack
        self._stats["receipts_screen" if screen else "receipts_cache"] += 1
        self._publish(self.tree.display(self.kiosk_id), ack, retain=True)

    def _publish_health(self) -> None:
        self._publish(self.tree.health(self.kiosk_id), self.health(), retain=True)

    def health(self) -> m.KioskHealth:
        worker = self._worker.health()
        counters = {k: float(v) for k, v in self._stats.items()}
        counters["worker_errors"] = float(worker.errors)
        counters["worker_dropped"] = float(worker.dropped)
        now = self.clock.now()
        outbox = self.outbox.report(now)
        return m.KioskHealth(
            kiosk_id=self.kiosk_id,
            at=now.isoformat(),
            connected=self.link.connected,
            cache_age_s=self.cache_age_s(),
            outbox_depth=outbox.unacknowledged,
            software_version=__version__,
            rejected=dict(self._decoder.rejected),
            devices=self._device_health(),
            metrics={**counters, **self._metrics()},
            outbox_queued=outbox.queued,
            outbox_sent=outbox.sent,
            oldest_unacked_s=outbox.oldest_s,
            oldest_unacked_checkin_s=outbox.oldest_checkin_s,
            oldest_unacked_checkin_seq=outbox.oldest_checkin_seq,
        )

    def _publish(self, topic: str, msg: Message, retain: bool = False) -> None:
        try:
            self.link.publish(topic, encode(msg), qos=1, retain=retain)
        except KioskError as exc:
            log.error("could not publish %s: %s", msg.KIND, exc)

    def _tick(self) -> None:
        self.sender.settle_noted()
        self.sender.resend_overdue(self._hub_online)
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
        return self.link.connected and self._hub_online

    def _mark_live(self, force: bool = False) -> None:
        """Persist "in step with the hub as of now" (at most every few seconds: each write syncs)."""
        if not self.is_live() or self.cache is None:
            return
        mono = self.clock.monotonic()
        if force or mono - self._live_written >= _LIVE_WRITE_EVERY_S:
            self.cache.set_meta(_LIVE_META, self.clock.now().isoformat())
            self._live_written = mono

    def cache_age_s(self) -> float:
        """0 while connected to a live hub; otherwise seconds since it last was (-1: never)."""
        if self.is_live():
            return 0.0
        return cache_age_from_meta(self._cache(), self.clock)

    def _flush_counters(self) -> None:
        if self.cache is None:
            return
        rejected = {f"rejected_{k}": v for k, v in self._decoder.rejected.items()}
        saved = {k: v for k, v in self.cache.counters().items() if k.startswith("rejected_")}
        delta = {k: v - saved.get(k, 0) for k, v in rejected.items() if v > saved.get(k, 0)}
        try:
            self.cache.bump(delta)
        except KioskError as exc:
            log.error("could not save counters: %s", exc)

    def _notify(self, change: SyncChange) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception as exc:  # noqa: BLE001 - a broken listener must not stop sync, nor the others
                self._stats["listener_errors"] += 1
                log.error("sync listener failed: %s", type(exc).__name__)


def cache_age_from_meta(cache: KioskCache, clock: Clock) -> float:
    """Seconds since the cache was last known to match the hub, from any thread's cache."""
    stamp = cache.get_meta(_LIVE_META)
    if not stamp:
        return -1.0
    try:
        return max(0.0, (clock.now() - datetime.fromisoformat(stamp)).total_seconds())
    except ValueError:
        return -1.0


__all__ = ["KioskSync", "Listener", "SyncChange", "SyncError", "cache_age_from_meta"]
