"""Arrivals back to the practice system: the hub's outbox (``ehr_outbound``) sent over
MLLP, one message at a time, until the practice system answers AA.

Each arrival's bytes and MSH-10 are fixed by its outbox row, so an arrival sent again
(no ACK in time, a hub killed before it recorded the AA) is the same message, which the
practice system recognises. A check-in becomes an outbox row once (by appointment), from
the hub's own check-in table: a hub killed between the two loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Callable
from datetime import datetime

from hl7.mllp import HL7StreamReader, HL7StreamWriter, open_hl7_connection

from config.settings import HubEhrSettings
from core.backoff import Backoff
from core.errors import WireError
from hub.ehr import acks
from hub.ehr.bridge import Bridge, HubFn
from hub.ehr.intake import Intake
from hub.ehr.records import Arrival
from hub.store import HubStore

log = logging.getLogger(__name__)

_POLL_S = 2.0


class ArrivalSender:
    def __init__(
        self,
        settings: HubEhrSettings,
        bridge: Bridge,
        intake: Intake,
        sender: acks.Sender,
        now: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.bridge = bridge
        self.intake = intake
        self.sender = sender
        self.now = now
        self.wake = asyncio.Event()
        self.connected = False
        self._backoff = Backoff(min(0.2, settings.arrivals_retry_max_s), settings.arrivals_retry_max_s)
        self._failures = 0
        self._rng = random.Random()
        self._stream: tuple[HL7StreamReader, HL7StreamWriter] | None = None

    async def run(self) -> None:
        while True:
            delay = self._backoff.delay(self._failures - 1, self._rng) if self._failures else _POLL_S
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), delay)
            self.wake.clear()
            try:
                await self._round()
            except (OSError, WireError, TimeoutError, asyncio.IncompleteReadError) as exc:
                self._failed(f"{type(exc).__name__}")

    async def close(self) -> None:
        self._drop()

    async def _round(self) -> None:
        if not self.settings.arrivals_host:
            return  # not configured: no outbox rows either (enabling it later sends today's only)
        pending: list[Arrival] = await self.bridge.on_hub(self._pending)
        for arrival in pending:
            code, text = await self._deliver(arrival)
            await self.bridge.on_hub(self._attempt(arrival.appointment_id, code, text))
            if code not in ("AA", "CA"):
                self._failed(f"answered {code}")
                return
            self._failures = 0

    def _attempt(self, appointment_id: str, code: str, text: str) -> HubFn:
        at = self.now().isoformat()

        def record(store: HubStore) -> tuple[None, tuple[str, ...]]:
            with store.transaction():
                self.intake.records(store).arrival_attempt(appointment_id, code, text, at)
            return None, ()

        return record

    def _pending(self, store: HubStore) -> tuple[list[Arrival], tuple[str, ...]]:
        records = self.intake.records(store)
        with store.transaction():
            records.enqueue_arrivals(self.now().isoformat())
        return records.pending_arrivals(), ()

    async def _deliver(self, arrival: Arrival) -> tuple[str, str]:
        reader, writer = await self._connection()
        block = acks.arrival(
            arrival.echo,
            arrival.control_id,
            created=datetime.fromisoformat(arrival.created_at),
            arrived=datetime.fromisoformat(arrival.arrived_at),
            sender=self.sender,
            kind=self.settings.arrivals_message,
            status=self.settings.arrivals_status,
        ).encode(self.settings.encoding, errors="replace")
        writer.writeblock(block)
        await writer.drain()
        try:
            async with asyncio.timeout(self.settings.arrivals_ack_timeout_s):
                while True:  # an ACK of an earlier, timed-out attempt may come first
                    reply = acks.read_ack(await reader.readblock())
                    if reply.control_id == arrival.control_id:
                        return reply.code, reply.text
        except TimeoutError:
            self._drop()  # a late ACK must not be read as the next one's
            return "", "no ACK in time"

    async def _connection(self) -> tuple[HL7StreamReader, HL7StreamWriter]:
        if self._stream is None:
            context = None
            if self.settings.arrivals_ca_file:
                context = ssl.create_default_context(cafile=self.settings.arrivals_ca_file)
            async with asyncio.timeout(self.settings.arrivals_ack_timeout_s):
                self._stream = await open_hl7_connection(
                    self.settings.arrivals_host, self.settings.arrivals_port, ssl=context
                )
            self.connected = True
        return self._stream

    def _failed(self, why: str) -> None:
        self._failures += 1
        if self._failures == 1 or self._failures % 20 == 0:
            log.warning("ehr arrival not delivered: %s", why, extra={"attempts": self._failures})
        self._drop()

    def _drop(self) -> None:
        if self._stream is not None:
            self._stream[1].close()
        self._stream = None
        self.connected = False
