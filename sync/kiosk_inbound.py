"""What the hub sends a kiosk, applied on the kiosk's sync worker (``sync.kiosk_sync``):
statuses, schedules and appointment changes go into the cache (which follows a newer hub
epoch), the hub's birth and Last Will say whether it is online, its answers and
acknowledgements settle the outbox, and staff notices and receipts go to the listeners."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from core.clock import Clock
from sync import messages as m
from sync import staff_messages as sm
from sync.cache import Applied, KioskCache
from sync.inbound import InboundDecoder, Rejected
from sync.outbox_sender import OutboxSender
from sync.revocation import KioskRevoked
from sync.sync_change import SyncChange
from sync.wire import Message

log = logging.getLogger(__name__)

# What a HubAck settles; a status request is settled by its RequestResult instead (so the
# kiosk holds a pending request until the answer itself has arrived).
_ACKED_BY_HUB_ACK = ("checkin", "staff_event", "notice_ack")
_ACKED_BY_RESULT = ("status_request",)


class KioskInbound:
    """``hub_online`` is what the hub's last birth or Will said (False once the link drops).

    ``headless_receipt`` publishes the display receipt of a kiosk without a screen (a
    kiosk with one reports what it drew instead); ``mark_live(force)`` notes that the cache
    is in step with a live hub."""

    def __init__(
        self,
        decoder: InboundDecoder,
        clock: Clock,
        stats: Counter[str],
        *,
        cache: Callable[[], KioskCache],
        sender: Callable[[], OutboxSender],
        notify: Callable[[SyncChange], None],
        headless_receipt: Callable[[], None],
        mark_live: Callable[[bool], None],
    ) -> None:
        self._decoder = decoder
        self._clock = clock
        self._stats = stats
        self._cache = cache
        self._sender = sender
        self._notify = notify
        self._headless_receipt = headless_receipt
        self._mark_live = mark_live
        self.hub_online = False
        self._on_kind: dict[type, Callable[[Message], Applied | None]] = {
            m.ProviderStatus: self._apply_status,
            m.ProviderSchedule: self._apply_schedule,
            m.AppointmentChange: self._apply_appointment,
            m.HubAvailability: self._on_hub_availability,
            m.RequestResult: self._on_result,
            m.HubAck: self._on_hub_ack,
            sm.SupervisorNotice: self._on_staff,
            sm.DisplayReceipt: self._on_staff,
            KioskRevoked: lambda msg: self._notify(SyncChange("enrollment", message=msg)),
            # A phone line's answer (only a line subscribes): to the line, nothing is stored.
            m.CallerMatch: lambda msg: self._notify(SyncChange("caller", message=msg)),
        }

    def on_message(self, topic: str, payload: bytes) -> None:
        msg = self._decoder.decode(topic, payload)
        if isinstance(msg, Rejected):
            return
        handler = self._on_kind.get(type(msg))
        applied = handler(msg) if handler is not None else None
        if applied is not None:
            self._stats[f"applied_{applied.decision}"] += 1
        self._mark_live(False)

    def _apply_status(self, msg: Message) -> Applied | None:
        if not isinstance(msg, m.ProviderStatus):
            return None
        now = self._clock.now()
        applied = self._cache().apply_status(msg, now.isoformat(), now.timestamp())
        self._on_new_epoch(applied, msg.epoch, told=applied.changed)
        if applied.changed:
            self._notify(SyncChange("status", msg.provider_id, msg.version))
            self._headless_receipt()
        return applied

    def _apply_schedule(self, msg: Message) -> Applied | None:
        if not isinstance(msg, m.ProviderSchedule):
            return None
        now = self._clock.now()
        applied = self._cache().apply_schedule(msg, now.isoformat(), now.timestamp())
        self._on_new_epoch(applied, msg.epoch)
        if applied.changed:
            self._notify(SyncChange("schedule", msg.provider_id, msg.version))
        return applied

    def _apply_appointment(self, msg: Message) -> Applied | None:
        if not isinstance(msg, m.AppointmentChange):
            return None
        applied = self._cache().apply_appointment_change(msg, self._clock.now().timestamp())
        self._on_new_epoch(applied, msg.epoch)
        if applied.changed:
            self._notify(SyncChange("appointment", msg.provider_id, msg.version))
        return applied

    def _on_new_epoch(self, applied: Applied, epoch: m.Epoch, told: bool = False) -> None:
        """The cache now follows ``epoch`` and dropped every status of the older one: the
        screen reads the cache again (unless ``told`` of the change already), a headless
        kiosk says what it now holds, and today's check-ins go to the hub again (one
        restored from a backup may lack them)."""
        if not applied.new_epoch:
            return
        self._stats["epochs_followed"] += 1
        owed = self._sender().owe_again()
        log.warning("following a new hub epoch", extra={"epoch": str(epoch), "checkins_owed_again": owed})
        if applied.dropped and not told:
            self._notify(SyncChange("status"))
        self._headless_receipt()

    def _on_hub_availability(self, msg: Message) -> None:
        if not isinstance(msg, m.HubAvailability):
            return
        if msg.online:  # the hub's birth names its epoch: follow a newer one at once
            followed = self._cache().follow_epoch(msg.epoch, self._clock.now().timestamp())
            self._on_new_epoch(followed, msg.epoch)
        if not msg.online:
            self._mark_live(True)  # in step until this very moment
        elif not self.hub_online:
            self._sender().hub_back()
        self.hub_online = msg.online
        self._mark_live(True)
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
        done = self._sender().acknowledge(keys, kinds)
        if done:
            self._notify(SyncChange("outbox", keys=tuple(item.key for item in done)))

    def _on_staff(self, msg: Message) -> None:
        self._notify(SyncChange("staff", getattr(msg, "provider_id", ""), message=msg))


__all__ = ["KioskInbound"]
