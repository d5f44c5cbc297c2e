"""The MLLP listener: persistent connections, one frame at a time per connection, each
acknowledged only after its commit.

Frames of all connections that arrive while a commit runs go into the next one (a group
commit), so many senders share an fsync and a lone sender waits for one commit only. A
commit also waits up to ``COMMIT_DELAY_S`` for the next frame of every connection that
sent one in the last ``ACTIVE_S`` (each has at most one frame unacknowledged), so senders
that take turns share every fsync instead of every other one. A lone sender never waits,
even beside idle connections. A
frame whose commit fails gets no ACK and its connection is closed: the sender sends it
again, and the repeat is recognised by its MSH-10. A connection dropped mid-frame leaves
nothing behind. The schedules a commit changed are published when the traffic pauses
(``hub.ehr.publish``), not by the commit's job: ACKs do not wait for them.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from datetime import datetime

from hl7.mllp import HL7StreamReader, HL7StreamWriter, start_hl7_server

from config.settings import HubEhrSettings
from core.errors import KioskError
from hub.ehr import acks, siu
from hub.ehr.bridge import Bridge
from hub.ehr.intake import Frame, Intake, Verdict, read_frame
from hub.ehr.publish import SchedulePublisher
from hub.store import HubStore

log = logging.getLogger(__name__)

_START = b"\x0b"  # MLLP start block
_END = b"\x1c\r"  # MLLP end block and carriage return

_BATCH = 500
COMMIT_DELAY_S = 0.005
ACTIVE_S = 0.05


class Listener:
    def __init__(
        self,
        settings: HubEhrSettings,
        *,
        bridge: Bridge,
        intake: Intake,
        rules: siu.Rules,
        sender: acks.Sender,
        now: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.bridge = bridge
        self.intake = intake
        self.rules = rules
        self.sender = sender
        self.now = now
        self.connections = 0
        self.server: asyncio.Server | None = None
        self._waiting: list[tuple[Frame, asyncio.Future[Verdict | None]]] = []
        self._in_flight = False
        self.commits = 0  # group commits started (frames / commits: the frames an fsync carries)
        self.delayed = 0  # of them, started when COMMIT_DELAY_S was over (their group fell short)
        self._sent: dict[int, float] = {}  # connection -> loop time its last frame came
        self._oldest = 0.0  # loop time the oldest waiting frame arrived
        self._committed = 0.0  # loop time the last commit ended (its senders send again from then)
        self._delay: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[HL7StreamWriter] = set()
        self.framing_problems = 0  # bytes outside a frame, dropped (all connections)
        self._framing: dict[int, int] = {}  # connection -> its framing problems so far
        self.schedules = SchedulePublisher(bridge, busy=lambda: self._in_flight or bool(self._waiting))

    async def start(self) -> None:
        context = None
        if self.settings.tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.settings.cert_file, self.settings.key_file or None)
        self.server = await start_hl7_server(
            self._serve,
            self.settings.host,
            self.settings.port,
            limit=self.settings.max_message_kb * 1024,
            ssl=context,
        )

    @property
    def port(self) -> int:
        if self.server is None or not self.server.sockets:
            return 0
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in list(self._writers):
            writer.close()
        if self.server is not None:
            await self.server.wait_closed()
        await self.schedules.flush()

    # --- one connection ---------------------------------------------------------------

    async def _serve(self, reader: HL7StreamReader, writer: HL7StreamWriter) -> None:
        peer = str(writer.get_extra_info("peername") or "?")[:80]
        self._writers.add(writer)
        self.connections += 1
        conn_id = 0
        handled = 0
        try:
            conn_id = await self.bridge.on_hub(
                lambda s: (self.intake.records(s).open_connection(peer, "in", self._at()), ())
            )
            handled = await self._exchange(reader, writer, id(writer), peer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass  # the sender went away; what it had not been acknowledged it sends again
        except KioskError as exc:  # the hub is stopping: nothing was acknowledged
            log.info("ehr connection ended: %s", type(exc).__name__)
        finally:
            self.connections -= 1
            self._sent.pop(id(writer), None)
            dropped = self._framing.pop(id(writer), 0)
            if dropped > 1:
                log.warning("mllp framing problems on one connection", extra={"peer": peer, "count": dropped})
            self._writers.discard(writer)
            writer.close()
            if conn_id:
                await self._closed(conn_id, handled)

    async def _readblock(self, reader: HL7StreamReader, conn: int, peer: str) -> bytes | None:
        """The next frame's content. Bytes before its start block (a stray byte, a sender's
        keep-alive) are dropped and the frame is taken; bytes with no start block at all are
        dropped (None). Either is a framing problem, logged once per connection."""
        data = await reader.readuntil(_END)
        start = data.rfind(_START)
        if start != 0:
            self._framing_problem(conn, peer)
        return None if start < 0 else data[start + 1 : -len(_END)]

    def _framing_problem(self, conn: int, peer: str) -> None:
        """Logged once per connection (one such sender would fill the log); the count at its close."""
        self.framing_problems += 1
        self._framing[conn] = self._framing.get(conn, 0) + 1
        if self._framing[conn] == 1:
            log.warning("mllp bytes outside a frame dropped (once per connection)", extra={"peer": peer})

    async def _exchange(self, reader: HL7StreamReader, writer: HL7StreamWriter, conn: int, peer: str) -> int:
        handled = 0
        while True:
            try:
                block = await self._readblock(reader, conn, peer)
            except asyncio.IncompleteReadError:
                return handled  # closed, perhaps mid-frame: the partial frame is dropped
            except asyncio.LimitOverrunError:
                log.warning("mllp frame longer than max_message_kb: connection closed")
                return handled
            if block is None:
                continue
            reply = await self.ingest(block, conn)
            if reply is None:
                return handled  # not stored: no ACK, the sender sends it again
            writer.writeblock(reply)
            await writer.drain()
            handled += 1

    async def _closed(self, conn_id: int, handled: int) -> None:
        def record(store: HubStore) -> tuple[None, tuple[str, ...]]:
            self.intake.records(store).close_connection(conn_id, handled, self._at())
            return None, ()

        try:
            await self.bridge.on_hub(record)
        except Exception as exc:  # noqa: BLE001 - bookkeeping only: the hub may be stopping
            log.info("ehr connection close not recorded: %s", type(exc).__name__)

    def _at(self) -> str:
        return self.now().isoformat()

    # --- frames -----------------------------------------------------------------------

    async def ingest(self, block: bytes, conn: int = 0) -> bytes | None:
        """The ACK for one frame (of connection ``conn``) once it is stored; None when it
        could not be stored."""
        self._sent[conn] = asyncio.get_running_loop().time()
        frame = read_frame(block, self.rules, self.settings.encoding)
        verdict = await self._commit(frame)
        if verdict is None:
            return None
        ack_id = f"A{frame.head.control_id}"[:20] if frame.head else "A"
        if frame.message is None:
            return acks.bare_ack(verdict.reason, ack_id, self.sender, self.now())
        return acks.ack(
            frame.message, verdict.code, verdict.reason, control_id=ack_id, sender=self.sender, now=self.now()
        )

    async def _commit(self, frame: Frame) -> Verdict | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Verdict | None] = loop.create_future()
        if not self._waiting:
            self._oldest = loop.time()
        self._waiting.append((frame, future))
        if not self._in_flight:
            self._dispatch()
        return await future

    def _dispatch(self) -> None:
        """Start the next commit: now when every active connection has its frame waiting
        (or ``COMMIT_DELAY_S`` passed since the frames could come), else once it has."""
        if not self._waiting or self._in_flight:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        due = max(self._oldest, self._committed) + COMMIT_DELAY_S
        active = sum(1 for at in self._sent.values() if now - at < ACTIVE_S)
        if len(self._waiting) < active and now < due:
            if self._delay is None:
                self._delay = loop.call_at(due, self._delayed)
            return
        if self._delay is not None:
            self._delay.cancel()
            self._delay = None
        batch, self._waiting = self._waiting[:_BATCH], self._waiting[_BATCH:]
        self._oldest = now
        self._in_flight = True
        self.commits += 1
        task = asyncio.get_running_loop().create_task(self._commit_batch(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _delayed(self) -> None:
        self._delay = None
        if self._waiting and not self._in_flight:
            self.delayed += 1
        self._dispatch()

    async def _commit_batch(self, batch: list[tuple[Frame, asyncio.Future[Verdict | None]]]) -> None:
        try:
            verdicts = await self._take([frame for frame, _ in batch])
        except Exception as exc:  # noqa: BLE001 - tried again one by one: one bad frame costs only itself
            log.error("ehr batch not stored: %s", type(exc).__name__)
            verdicts = []
            for frame, _ in batch:
                try:
                    verdicts += await self._take([frame])
                except Exception as one:  # noqa: BLE001 - this frame gets no ACK; it comes again
                    log.error("ehr message not stored: %s", type(one).__name__)
                    verdicts.append(None)
        finally:
            self._in_flight = False
            self._committed = asyncio.get_running_loop().time()
        for (_, future), verdict in zip(batch, verdicts, strict=False):
            if not future.done():
                future.set_result(verdict)
        for _, future in batch:
            if not future.done():
                future.set_result(None)
        self._dispatch()

    async def _take(self, frames: list[Frame]) -> list[Verdict | None]:
        def run(store: HubStore) -> tuple[tuple[list[Verdict], set[str]], tuple[str, ...]]:
            return self.intake.take(store, frames, self.now()), ()  # published when traffic pauses

        verdicts, touched = await self.bridge.on_hub(run)
        self.schedules.committed(touched)
        return list(verdicts)
