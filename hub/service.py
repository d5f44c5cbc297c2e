"""The running hub: consumes kiosk messages, records them exactly once, and is the
single writer of provider status and the day's schedule.

Like the kiosk, one worker ("hub") owns the store; the MQTT link's thread only posts
events to it. Messages accumulate and are recorded in one transaction when the worker's
inbox runs dry (or every ``BATCH``), then what changed is published, so a burst of 10,000
replayed check-ins costs a few dozen commits. A handler that raises is contained and
counted by the worker; a batch that fails is recorded again one message at a time, so one
hostile message never costs the others their place (``hub.inbound_batch``). Publishing
goes through ``hub.outgoing`` to the link (``MqttLink.publish`` hands it to the link's own
thread).

After each commit the hub acknowledges what it now holds: one ``HubAck`` per kiosk per
batch on ``hub/ack/<kiosk>``, naming every check-in, staff event and notice
acknowledgement of the batch - new ones and repeats alike, so a kiosk that sends again
(its acknowledgement was lost) is answered again. A status request is acknowledged by its
``RequestResult``, which a repeat also gets again. What failed to commit is not
acknowledged: the kiosk sends it again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from config.settings import Settings
from core.clock import Clock, SystemClock
from core.errors import KioskError
from core.version import __version__
from core.worker import Batcher, Worker, WorkerStopped
from hub.caller_match import CallerMatcher
from hub.day_plan import DayPlan
from hub.desk import Out, StaffDesk
from hub.epoch import stamp
from hub.inbound_batch import InboundBatch, acknowledgements
from hub.intake import schedules_to_republish
from hub.kiosk_messages import record_kiosk_message, retained_state
from hub.origin import Received, RequestOrigin
from hub.outgoing import Listener, Outgoing
from hub.own_topics import OwnTopics
from hub.pacing import RECEIPTS_S, SCHEDULE_S, Pacer
from hub.publish_guard import PublishGuard, escalations
from hub.status_requests import HubNotOpen, StatusRequests
from hub.store import HubStore
from sync import messages as m
from sync.bridge_state import BRIDGE_STATES, BridgeStates
from sync.inbound import InboundDecoder, Rejected
from sync.link import LinkEvent, MqttLink, Will
from sync.revocation import KioskRevoked
from sync.topics import TopicTree
from sync.vault import store_key_source
from sync.wire import Message, encode

log = logging.getLogger(__name__)

_TICK_S = 1.0


__all__ = ["HubNotOpen", "HubService"]


class HubService:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        db_path: str | Path | None = None,
    ) -> None:
        self.settings = settings
        self.tree = TopicTree(settings.kiosk.practice, settings.kiosk.site)
        self.clock = clock or SystemClock()
        self.db_path = Path(db_path or Path(settings.hub.state_dir) / "hub.sqlite")
        self.store_key = store_key_source(settings, self.db_path)
        self.desk: StaffDesk | None = None
        self.stats: Counter[str] = Counter()
        self._decoder = InboundDecoder(self.tree)
        self._batch = InboundBatch(self.tree, self.stats)
        self._plan: DayPlan | None = None
        self._worker = Worker(
            "hub",
            tick_s=_TICK_S,
            on_tick=self._tick,
            on_idle=self._flush,
            on_start=self._open,
            on_stop=self._close,
        )
        # The link's events reach the worker a network-loop burst at a time.
        self._events: Batcher[LinkEvent] = Batcher(self._worker, self._on_link)
        self.store: HubStore | None = None
        subscriptions = self.tree.hub_subscriptions()
        self._pool = settings.hub.intake == "pool"  # check-ins are hub/intake.py's workers'
        self._pool_published: dict[str, int] = {}  # the schedule versions published since
        self._pacer = Pacer(SCHEDULE_S)  # a burst of check-ins republishes each day once a second
        self._receipt_pacer = Pacer(RECEIPTS_S)  # and a burst of display receipts, the receipts
        if self._pool:
            subscriptions.remove(self.tree.kiosk("+", "checkin"))
        subscriptions += self.tree.hub_owned_retained()  # hub/own_topics.py watches them
        self.uplinks = BridgeStates()  # each site's link to the centre, for the dashboard
        subscriptions.append(BRIDGE_STATES)
        self.link = MqttLink(
            settings.broker,
            client_id=settings.hub.client_id,
            on_event=self.on_link_event,
            subscriptions=subscriptions,
            will=Will(self.tree.hub_availability(), encode(m.HubAvailability(False))),
            persistent_session=True,
        )
        # What kiosks read is decoded by their own decoder before it leaves.
        self.guard = PublishGuard(self.tree)
        self.out = Outgoing(
            self.link, self.guard, self.stats, epoch=lambda: self.own.epoch, retained=self._retained
        )
        self.own = OwnTopics(self.tree, self.clock, self.link, self.out.publish, self._on_connected)
        self._requests = StatusRequests(self.tree, self.clock, self.stats, self.out.publish)
        self.callers = CallerMatcher(self.tree, self.clock, self.stats, self.out.publish)

    # --- lifecycle --------------------------------------------------------------------

    def start(self, plan: DayPlan | None = None) -> None:
        self._plan = plan
        self._worker.start()
        if self._worker.start_error is not None:
            raise self._worker.start_error
        self.link.start()

    def stop(self) -> None:
        self.own.stopping = True
        farewell = encode(stamp(self._availability(False), self.own.epoch))
        self.link.stop(farewell=[(self.tree.hub_availability(), farewell)])
        self._worker.stop(10)

    @property
    def worker(self) -> Worker:
        return self._worker

    def add_listener(self, listener: Listener) -> None:
        """``listener(event, message)`` on the hub thread after each recorded message and
        after each message the hub publishes (status, schedule, receipt, notice, alert...)."""
        self.out.add_listener(listener)

    def act(self, fn: Callable[[StaffDesk, HubStore], Out], timeout: float = 10.0) -> int:
        """Run a staff action (the dashboard's acknowledgements) on the hub thread in one
        transaction, then publish what it returns; how many messages that was."""

        def run(store: HubStore) -> int:
            if self.desk is None:
                raise KioskError("the hub is not running")
            with store.transaction():
                out = fn(self.desk, store)
            self.out.publish_all(out)
            return len(out)

        return int(self.call(run, timeout))

    def call(self, fn: Callable[[HubStore], Any], timeout: float = 10.0) -> Any:
        """Run ``fn(store)`` on the hub worker, after the messages delivered before it."""
        return self._worker.call(self._flushed_then, fn, timeout=timeout)

    def submit(
        self,
        fn: Callable[[HubStore], tuple[Any, Iterable[str]]],
        done: Callable[[Any, BaseException | None], None],
    ) -> bool:
        """Run ``fn(store)`` on the hub worker without waiting (``fn`` commits its own
        transaction and returns its result and the providers whose schedule it changed);
        those schedules are published, then ``done(result, None)`` or ``done(None, error)``
        runs on the hub thread. False when the hub is not running."""
        return self._worker.post(self._submitted, fn, done)

    def _submitted(
        self,
        fn: Callable[[HubStore], tuple[Any, Iterable[str]]],
        done: Callable[[Any, BaseException | None], None],
    ) -> None:
        try:
            result, changed = self._flushed_then(fn)
        except Exception as exc:  # noqa: BLE001 - handed to the submitter, who answers for it
            done(None, exc)
            return
        for provider_id in sorted(set(changed)):
            schedule = self._store().wire_schedule(provider_id)
            if schedule is not None:
                self.out.publish(self.tree.schedule(provider_id), schedule, True)
        done(result, None)

    def responsive(self, timeout: float = 5.0) -> bool:
        """The hub worker is not stuck and answers within ``timeout`` (for the watchdog)."""
        if not self._worker.responsive():
            return False
        try:
            return bool(self.call(lambda _store: True, timeout))
        except (TimeoutError, WorkerStopped):
            return False

    def set_status(
        self, request: m.StatusChangeRequest, origin: RequestOrigin = RequestOrigin.PRACTICE_CLI
    ) -> m.RequestResult:
        """Apply a status change from inside this process (the demo, tests): by default as
        the practice's terminal would."""
        results: list[m.RequestResult] = self.call(
            lambda store: self._requests.apply(store, self.desk, [(request, origin)])
        )
        return results[0]

    # --- the worker -----------------------------------------------------------------

    def _open(self) -> None:
        self.store = HubStore.open(self.db_path, key=self.store_key)
        self.desk = StaffDesk(self.store, self.tree, self.settings.staff, self.clock)
        self.own.open(self.store)
        if self._plan is not None:
            changed = self.store.load_day(self._plan)
            log.info("day loaded", extra={"date": self._plan.date, "changed_providers": len(changed)})

    def _close(self) -> None:
        if self.store is not None:
            self._flush()
            self.store.close()

    def _store(self) -> HubStore:
        if self.store is None:
            raise HubNotOpen()
        return self.store

    def _flushed_then(self, fn: Callable[[HubStore], Any]) -> Any:
        self._flush()
        return fn(self._store())

    def _on_link(self, event: LinkEvent) -> None:
        if event.kind == "message" and self.uplinks.note(
            event.topic, event.payload, self.clock.now().isoformat()
        ):
            return
        if event.kind == "message" and self.own.owns(event.topic):
            self.own.on_message(self._store(), event.topic, event.payload, event.retained)
        elif event.kind == "message":
            msg = self._decoder.decode(event.topic, event.payload)
            if isinstance(msg, Rejected):
                self._batch.reject(msg.topic, msg.reason)
            elif isinstance(msg, m.CallerLookup):  # answered at once, nothing recorded
                self.callers.answer(self._store(), msg)
            elif self._batch.add(Received(msg, RequestOrigin.of_topic(self.tree, event.topic))):
                self._flush()
        elif event.kind == "connected":
            self._flush()
            self._on_connected()

    def _flush(self) -> None:
        """Record what kiosks sent since the last flush (``hub.inbound_batch``)."""
        self._batch.flush(self.store, self._record, self.clock.now().isoformat())

    def _record(self, messages: list[Received]) -> None:
        store = self._store()
        now = self.clock.now().isoformat()
        out: list[tuple[str, Message, bool]] = []
        touched: set[str] = set()
        requests: list[tuple[m.StatusChangeRequest, RequestOrigin]] = []
        with store.transaction():
            for msg, origin in messages:
                if isinstance(msg, m.CheckIn):
                    change = self._record_checkin(msg, now)
                    if change is not None:
                        out.append((self.tree.appointment(msg.provider_id), change, False))
                        touched.add(msg.provider_id)
                elif isinstance(msg, m.StatusChangeRequest):
                    requests.append((msg, origin))
                else:
                    out += record_kiosk_message(store, self.desk, self.stats, msg, now=now, origin=origin)
            if self.desk and any(isinstance(msg, (m.DisplayAck, m.KioskAvailability)) for msg, _ in messages):
                # Only what kiosks display (or leave) changes a receipt.
                out += self._receipts(self._receipt_pacer.now_or_later(["receipts"], self.clock.monotonic()))
        # Committed: now, and only now, the kiosks may forget them.
        for topic, ack in acknowledgements(self.tree, messages, self.clock.now().isoformat()):
            self.out.publish(topic, ack, False)
            self.stats["acks_sent"] += 1
        if requests:
            self._requests.apply(store, self.desk, requests)
        out += self._schedules(self._pacer.now_or_later(touched, self.clock.monotonic()))
        self.out.publish_all(out)
        for msg, _origin in messages:
            self.out.notify(msg.KIND, msg)

    def _record_checkin(self, msg: m.CheckIn, now: str) -> m.AppointmentChange | None:
        if self.store is None:
            raise HubNotOpen()
        change = self.store.record_checkin(msg, now)
        if change is False:
            self.stats["checkin_duplicates"] += 1
            return None
        self.stats["checkins"] += 1
        log.info("check-in recorded", extra={"kiosk": msg.kiosk_id, "appointment": msg.appointment_id})
        return change if isinstance(change, m.AppointmentChange) else None

    # --- publishing -------------------------------------------------------------------

    def _on_connected(self) -> None:
        """(Re)publish everything retained: the broker may have lost it."""
        store = self._store()
        self.out.publish(self.tree.hub_availability(), self._availability(True), True)
        self.out.publish_all(retained_state(store, self.tree))
        self._publish_revocations(store.revocations.all())

    def _publish_revocations(self, revoked: list[KioskRevoked]) -> None:
        """Retained, so a revoked kiosk reads it whenever it next connects (`kiosk hub revoke`
        records it; the hub, the only writer of ``hub/``, publishes it)."""
        if self.store is None or not revoked:
            return
        for msg in revoked:
            self.out.publish(self.tree.revoked(msg.kiosk_id), msg, True)
        if self.link.connected:  # else the next connect publishes them again
            with self.store.transaction():
                self.store.revocations.mark_published(
                    [r.kiosk_id for r in revoked], self.clock.now().isoformat()
                )

    def _tick(self) -> None:
        if self.desk is None or self.store is None:
            return
        try:
            with self.store.transaction():
                out = self.desk.tick(self.clock.now())
                out += self._held_back()
            out += self._schedules(self._pacer.due(self.clock.monotonic()))
            out += self._receipts(self._receipt_pacer.due(self.clock.monotonic()))
            if self._pool:
                out += schedules_to_republish(self.store, self.tree, self._pool_published)
        except KioskError as exc:
            log.error("hub tick failed: %s", exc)
            return
        self.out.publish_all(out)
        if self.link.connected:  # new from `kiosk hub revoke` (every connect publishes them all)
            self._publish_revocations(self.store.revocations.unpublished())
        self.own.tick(self.store)
        if self.desk.epoch_wanted is not None:  # a kiosk displays a future this store lacks
            reason, above = self.desk.epoch_wanted
            self.desk.epoch_wanted = None
            self.own.start_epoch(self.store, reason, above)

    def _held_back(self) -> list[tuple[str, Message, bool]]:
        """Escalate and count what the guard kept from the kiosks (inside the tick's transaction)."""
        held, counts = self.guard.take()
        if not held or self.desk is None or self.store is None:
            return []
        self.stats["published_held_back"] += len(held)
        self.store.count_rejections(counts, self.clock.now().isoformat())
        return self.desk.open_new(escalations(held, self.clock.now().isoformat(timespec="seconds")))

    def _schedules(self, providers: list[str]) -> list[tuple[str, Message, bool]]:
        if self.store is None:
            raise HubNotOpen()
        found = [(p, self.store.wire_schedule(p)) for p in providers]
        return [(self.tree.schedule(p), s, True) for p, s in found if s is not None]

    def _receipts(self, due: list[str]) -> list[tuple[str, Message, bool]]:
        return self.desk.receipts() if due and self.desk is not None else []

    def publish_day(self) -> None:
        self.call(lambda _store: self._on_connected())

    def _availability(self, online: bool) -> m.HubAvailability:
        day = self.store.day() if self.store is not None and online else ""
        return m.HubAvailability(online, __version__, self.clock.now().isoformat(), day)

    def _retained(self, topic: str, payload: bytes) -> None:
        self.own.published(topic, payload)

    def rejected(self) -> dict[str, int]:
        return dict(self._decoder.rejected)

    def on_link_event(self, event: LinkEvent) -> None:
        """On the link's thread: hand the event to the hub worker, nothing else."""
        self._events.add(event)
