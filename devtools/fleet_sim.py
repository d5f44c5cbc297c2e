"""Simulated kiosks that speak the real protocol, hundreds per process (asyncio + aiomqtt).

Each ``SimKiosk`` does on the wire what ``sync.kiosk_sync.KioskSync`` does (docs/protocol.md):
a Last Will of a retained ``availability`` offline; on every connect its kiosk
subscriptions, a retained birth, every check-in the hub has not acknowledged, its last
``display`` receipt and its ``health``; statuses, schedules and appointment changes applied
by version with the same decoder (``sync.inbound``; statuses by (epoch, version), as
``sync.state`` orders them); a headless ``display`` receipt (``screen: false``, naming its
epoch) after each status it applies; check-ins through an outbox - kept
until the hub's ``hub_ack`` names them, sent again on every connect and when the kiosk's
own ``sync.resend_policy`` says so (back-off from ``ack_timeout_s``, while the hub is
online and the site's bridge is not known down). The outbox is held in memory (no SQLite file
per simulated kiosk): these processes are not killed in the scenarios they serve.

What it holds of the day: ``devtools.fleet_sim_cache``. Hundreds of them run in one process:
``devtools.fleet_swarm``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiomqtt

from core.clock import SystemClock
from core.version import __version__
from devtools.fleet_sim_cache import SimCache
from sync import messages as m
from sync.bridge_state import BRIDGE_STATES
from sync.inbound import InboundDecoder
from sync.resend_policy import ResendPolicy
from sync.topics import TopicTree
from sync.wire import Message, encode

_CLOCK = SystemClock()
# aiomqtt warns whenever more than 10 publishes wait for their PUBACK: an outbox replay does that.
_QUIET = logging.getLogger("devtools.fleet_sim.mqtt")
_QUIET.setLevel(logging.ERROR)


@dataclass(frozen=True)
class KioskSpec:
    kiosk_id: str
    practice: str
    site: str  # what the kiosk calls its site (its broker's tree)
    host: str
    port: int
    password: str
    ca_file: str = ""


@dataclass(frozen=True)
class Spec:
    kiosks: list[KioskSpec]
    ack_timeout_s: float = 10.0
    health_interval_s: float = 30.0
    keepalive_s: int = 15


@dataclass
class _Row:
    seq: int
    key: str
    topic: str
    payload: bytes
    created: float  # monotonic
    sent: bool = False


class SimKiosk:
    def __init__(self, spec: KioskSpec, swarm: Spec, index: int, of: int) -> None:
        self.spec = spec
        self.id = spec.kiosk_id
        self.tree = TopicTree(spec.practice, spec.site)
        self._swarm = swarm
        self._index, self._of = index, of  # this kiosk takes every of-th appointment
        self._decoder = InboundDecoder(self.tree, today=lambda: _CLOCK.now().date())
        self._client: aiomqtt.Client | None = None
        self._seq = 0
        self.outbox: dict[str, _Row] = {}
        self.committed: list[str] = []
        self.cache = SimCache()  # what it holds of the hub's day
        self.acked_in_s: list[float] = []  # commit -> hub_ack, per check-in
        self.sent_in_s: list[float] = []  # commit -> the site broker's PUBACK, per check-in
        self.hub_online = False
        self.connects = 0
        self.resent = 0
        self.resend = ResendPolicy(swarm.ack_timeout_s)  # the real kiosk's policy
        self._waiting: set[int] = set()  # seqs being published, PUBACK not yet seen
        self._last_ack = float("-inf")
        self.faults: Counter[str] = Counter()  # what ended a connection other than MQTT itself
        self._used: set[str] = set()
        self._receipt: m.DisplayAck | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # --- the connection -----------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        rng = random.Random(self.id)
        attempt = 0
        while not stop.is_set():
            try:
                async with self._new_client() as client:
                    attempt = 0
                    await self._session(client, stop)
            except aiomqtt.MqttError:
                pass
            except Exception as exc:  # noqa: BLE001 - like a real kiosk, it comes back whatever broke
                self.faults[type(exc).__name__] += 1
            finally:
                self._client = None
                self.hub_online = False
            if not stop.is_set():
                attempt += 1
                await asyncio.sleep(rng.uniform(0, min(1.0, 0.1 * 1.5**attempt)))

    def _new_client(self) -> aiomqtt.Client:
        tls = None
        if self.spec.ca_file:
            tls = ssl.create_default_context(cafile=self.spec.ca_file)
        will = aiomqtt.Will(
            self.tree.availability(self.id), encode(m.KioskAvailability(self.id, False)), qos=1, retain=True
        )
        return aiomqtt.Client(
            self.spec.host,
            self.spec.port,
            username=self.id,
            password=self.spec.password,
            identifier=f"kiosk-{self.id}",
            protocol=aiomqtt.ProtocolVersion.V5,
            clean_start=True,
            will=will,
            keepalive=self._swarm.keepalive_s,
            tls_context=tls,
            max_inflight_messages=100,
            timeout=10,
            logger=_QUIET,
        )

    async def _session(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        subscriptions = [*self.tree.kiosk_subscriptions(self.id), BRIDGE_STATES]
        await client.subscribe([(topic, 1) for topic in subscriptions])
        self._client = client
        self.connects += 1
        self.resend.forget_all()
        self._waiting.clear()
        self._publish(self.tree.availability(self.id), self._birth(), retain=True)
        self._replay()
        if self._receipt is not None:
            self._publish(self.tree.display(self.id), self._receipt, retain=True)
        self._publish(self.tree.health(self.id), self._health(), retain=True)
        reader = asyncio.ensure_future(self._read(client))
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({reader, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, stopped):
                task.cancel()
        if reader.done() and not reader.cancelled() and reader.exception() is not None:
            raise aiomqtt.MqttError("connection lost")
        if stop.is_set():  # a farewell, as KioskSync.stop says it
            with contextlib.suppress(aiomqtt.MqttError):
                await client.publish(
                    self.tree.availability(self.id),
                    encode(m.KioskAvailability(self.id, False)),
                    qos=1,
                    retain=True,
                    timeout=2,
                )

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload if isinstance(message.payload, bytes) else b""
            self._on_message(str(message.topic), payload)

    def _publish(self, topic: str, msg: Message, retain: bool = False) -> None:
        self._spawn(self._send_raw(topic, encode(msg), retain))

    async def _send_raw(self, topic: str, payload: bytes, retain: bool) -> None:
        client = self._client
        if client is None:
            return
        with contextlib.suppress(aiomqtt.MqttError):
            await client.publish(topic, payload, qos=1, retain=retain, timeout=30)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- inbound ------------------------------------------------------------------------

    def _on_message(self, topic: str, payload: bytes) -> None:
        if self.resend.note_bridge(topic, payload, _CLOCK.now().isoformat(), time.monotonic()):
            return
        route = self.tree.route(topic)
        if route is not None and route.kind is m.ProviderSchedule:
            self.cache.apply_schedule(route.provider_id, payload)
            return
        msg = self._decoder.decode(topic, payload)
        if isinstance(msg, m.ProviderStatus):
            if self.cache.apply_status(msg):
                self._publish_receipt()
        elif isinstance(msg, m.AppointmentChange):
            self.cache.apply_change(msg)
        elif isinstance(msg, m.HubAvailability):
            if msg.online and not self.hub_online:  # the hub is back: a fresh timeout
                self.resend.restart_clocks(time.monotonic())
            self.hub_online = msg.online
        elif isinstance(msg, m.HubAck):
            now = time.monotonic()
            for key in msg.keys:
                acked = self.outbox.pop(key, None)
                if acked is not None:
                    self.acked_in_s.append(now - acked.created)
                    self.resend.done(acked.seq)
                    self._last_ack = now

    def _publish_receipt(self) -> None:
        """Headless: the receipt is what the cache applied."""
        self._receipt = m.DisplayAck(
            self.id,
            dict(self.cache.statuses),
            at=_CLOCK.now().isoformat(),
            screen=False,
            epoch=self.cache.epoch,
        )
        self._publish(self.tree.display(self.id), self._receipt, retain=True)

    # --- the outbox ---------------------------------------------------------------------

    def checkin(self, to_desk: bool = False) -> str:
        """Commit one check-in (an appointment of this kiosk's share of the day), then send it.

        ``to_desk``: a patient the kiosk sends to the front desk (outcome ``front_desk``):
        recorded and acknowledged like any check-in, but no appointment changes, so no
        ``appointment`` event and no schedule fan out to the site's kiosks."""
        appt = None if to_desk else self.cache.next_appointment(self._index, self._of, self._used)
        key = uuid.uuid4().hex
        if appt is None:
            msg = m.CheckIn(key, self.id, "walk-in", "desk", _CLOCK.now().isoformat(), "staff", "front_desk")
        else:
            msg = m.CheckIn(key, self.id, appt.id, appt.provider_id, _CLOCK.now().isoformat(), "dob")
            self._used.add(appt.id)
        self._seq += 1
        row = _Row(self._seq, key, self.tree.checkin(self.id), encode(msg), time.monotonic())
        self.outbox[key] = row
        self.committed.append(key)
        if self._client is not None:
            self._send(row)
        return key

    def _send(self, row: _Row) -> None:
        self.resend.handed(row.seq, time.monotonic())
        self._waiting.add(row.seq)
        self._spawn(self._send_row(row))

    async def _send_row(self, row: _Row) -> None:
        client = self._client
        if client is None:
            return
        try:
            await client.publish(row.topic, row.payload, qos=1, timeout=30)
        except aiomqtt.MqttError:
            return  # replayed on the next connect
        finally:
            self._waiting.discard(row.seq)
        if not row.sent:
            self.sent_in_s.append(time.monotonic() - row.created)
        row.sent = True

    def _replay(self) -> None:
        for row in sorted(self.outbox.values(), key=lambda r: r.seq):
            self._send(row)

    def tick(self) -> None:
        """Send again what the resend policy says is overdue (sync.resend_policy)."""
        if self._client is None:
            return
        now = time.monotonic()
        busy = self._last_ack > now - self._swarm.ack_timeout_s
        due = self.resend.overdue(now, hub_online=self.hub_online, busy=busy, waiting=self._waiting)
        if not due:
            return
        by_seq = {row.seq: row for row in self.outbox.values()}
        for seq in due:
            row = by_seq.get(seq)
            if row is None:
                self.resend.done(seq)
                continue
            self.resent += 1
            self._send(row)

    def report_health(self) -> None:
        if self._client is not None:
            self._publish(self.tree.health(self.id), self._health(), retain=True)

    def _birth(self) -> m.KioskAvailability:
        summary = self.cache.summary(outbox_depth=len(self.outbox))
        return m.KioskAvailability(self.id, True, __version__, _CLOCK.now().isoformat(), summary)

    def _health(self) -> m.KioskHealth:
        now = time.monotonic()
        rows = sorted(self.outbox.values(), key=lambda r: r.seq)
        sent = sum(r.sent for r in rows)
        oldest = now - rows[0].created if rows else -1.0
        return m.KioskHealth(
            kiosk_id=self.id,
            at=_CLOCK.now().isoformat(),
            connected=True,
            cache_age_s=0.0,
            outbox_depth=len(rows),
            software_version=__version__,
            outbox_queued=len(rows) - sent,
            outbox_sent=sent,
            oldest_unacked_s=oldest,
            oldest_unacked_checkin_s=oldest,
            oldest_unacked_checkin_seq=rows[0].seq if rows else 0,
        )

    @property
    def connected(self) -> bool:
        return self._client is not None

    def holds_day(self) -> bool:
        return self._client is not None and self.cache.holds_day()


__all__ = ["KioskSpec", "SimKiosk", "Spec"]
