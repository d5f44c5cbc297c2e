"""One call's media: the RTP stream the line sends (20 ms packets, paced against the
loop's clock, silence between prompts), the RFC 4733 keys it hears and, when the line
listens (``phone.voice``), what the caller says: speech stops the prompt playing (the
line's own echo does not: ``phone.ear``) and an utterance both recognizer passes agree on
takes the same path as the key it stands for. Nothing the caller says is kept."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.errors import KioskError
from phone import g711
from phone.own_appointment import Entry
from phone.own_lookup import Found
from phone.prompts import RATE
from phone.rtp import DtmfReceiver, RtpPacket, pack, unpack
from phone.script import CallScript, Day, Reaction
from phone.sdp import Media
from phone.srtp import Rejected, SrtpContext
from phone.voice import CallListening

log = logging.getLogger(__name__)

FRAME = 160  # samples in 20 ms at 8 kHz
FRAME_S = 0.02
_GAP = np.zeros(RATE * 3 // 10, dtype=np.int16)  # 300 ms between prompts
MAX_FALSE_BARGE_INS = 3

Render = Callable[[str, str], Coroutine[Any, Any, g711.Samples]]
DaySource = Callable[[], Awaitable[Day]]
Callback = Callable[["Call"], Awaitable[bool]]
Find = Callable[["Call", Entry], Awaitable[Found | None]]
TransferTo = Callable[["Call"], Awaitable[str]]  # the outcome of phone.transfer


async def _no_desk(_call: Call) -> str:
    return "unavailable"


async def _no_cache(_call: Call, _entry: Entry) -> Found | None:
    return None  # a line with no cache behind it (tests, bench) has no appointments


@dataclass
class CallStats:
    packets_sent: int = 0
    packets_heard: int = 0
    packets_dropped: int = 0  # not RTP, or from another address than the caller's
    srtp_rejected: Counter[str] = field(default_factory=Counter)  # by reason: auth, replay ...
    keys: list[str] = field(default_factory=list)
    first_prompt_at: float | None = None  # loop time of the first packet of speech
    barge_ins: int = 0  # prompts the caller's voice stopped
    utterances: int = 0  # utterances recognized (whatever they meant)
    understood: int = 0  # ... of which both passes agreed on something to act on


class Call:
    """Owned by the line, on its event loop."""

    def __init__(  # noqa: PLR0917 - wiring
        self,
        call_id: str,
        media: Media,
        script: CallScript,
        render: Render,
        day: DaySource,
        on_callback: Callback,
        caller: str = "",
        find: Find = _no_cache,
        transfer: TransferTo = _no_desk,
        listening: CallListening | None = None,
    ) -> None:
        self.call_id = call_id  # ours, for logs: never the caller's number
        self.media = media
        self.script = script
        self.caller = caller  # the number to call back; handed to the hub only
        self._render = render
        self._day = day
        self._on_callback = on_callback
        self._find = find
        self._transfer = transfer
        self.listening = listening
        self._over_prompt = False  # the utterance being heard began while the line spoke
        self._false_barge_ins = 0  # in a row: speech over a prompt that meant nothing
        self._keys_in_order = asyncio.Lock()  # keys are handled one at a time, in the order pressed
        self.stats = CallStats()
        self.transport: asyncio.DatagramTransport | None = None
        self.ended = asyncio.Event()
        self.last_heard = asyncio.get_running_loop().time()
        self._queue: deque[asyncio.Task[g711.Samples]] = deque()
        self._playing = b""
        self._offset = 0
        self._silence = bytes([g711.silence_code(media.payload_type)]) * FRAME
        self._dtmf = DtmfReceiver()
        self._tasks: set[asyncio.Task[None]] = set()
        self._seq, self._timestamp = random.getrandbits(16), random.getrandbits(32)
        self._ssrc = random.getrandbits(32)
        self._first = True
        # SRTP (``media.srtp``): each side sends under its own key, so one context a direction.
        self._protect: SrtpContext | None = None
        self._unprotect: SrtpContext | None = None
        if media.srtp is not None:
            ours, theirs = media.srtp.local, media.srtp.remote
            self._protect = SrtpContext(ours.suite, ours.key, ours.salt)
            self._unprotect = SrtpContext(theirs.suite, theirs.key, theirs.salt, mki=theirs.mki)

    # --- lifecycle ------------------------------------------------------------------

    def start(self, transport: asyncio.DatagramTransport) -> None:
        self.transport = transport
        self._spawn(self._open())

    def end(self) -> None:
        if self.ended.is_set():
            return
        self.ended.set()
        for task in [*self._queue, *self._tasks]:
            task.cancel()
        if self.transport is not None:
            self.transport.close()
        self._playing = b""

    @property
    def speaking(self) -> bool:
        return self._offset < len(self._playing) or bool(self._queue)

    # --- what the caller hears --------------------------------------------------------

    def say(self, texts: list[str], replace: bool = False) -> None:
        """Queue ``texts`` (rendered in the background, in order); ``replace`` stops what
        is playing first (barge-in)."""
        if replace:
            for task in self._queue:
                task.cancel()
            self._queue.clear()
            self._playing, self._offset = b"", 0
        loop = asyncio.get_running_loop()
        lang = self.script.lang
        self._queue.extend(loop.create_task(self._render(t, lang)) for t in texts)

    async def _open(self) -> None:
        self.say(self.script.opening(await self._known_day()))

    async def _known_day(self) -> Day:
        """The cached day; when the cache does not answer, a day with nothing in it and
        marked not live, so the caller still hears the emergency line and the menu."""
        try:
            return await self._day()
        except (TimeoutError, OSError, KioskError) as exc:
            log.warning(
                "the cached day did not answer", extra={"call": self.call_id, "error": type(exc).__name__}
            )
            return Day([], {}, "", live=False)

    def _next_frame(self) -> tuple[bytes, bool]:
        """The next 20 ms to send, and whether it is speech."""
        if self._offset >= len(self._playing):
            self._playing, self._offset = b"", 0
            while self._queue and self._queue[0].done():
                task = self._queue.popleft()
                if task.cancelled() or task.exception() is not None:
                    log.warning("a prompt could not be rendered", extra={"call": self.call_id})
                    continue
                samples = np.concatenate([task.result(), _GAP])
                self._playing = g711.encode(samples, self.media.payload_type)
                break
        if not self._playing:
            return self._silence, False
        frame = self._playing[self._offset : self._offset + FRAME]
        self._offset += FRAME
        return frame.ljust(FRAME, self._silence[:1]), True

    def send_frame(self, now: float) -> None:
        """Send the next 20 ms (the line's pacer calls every call once per frame)."""
        if self.ended.is_set() or self.transport is None:
            return
        frame, speech = self._next_frame()
        if self.listening is not None:
            self.listening.sent(frame, self.media.payload_type, speech)
        if speech and self.stats.first_prompt_at is None:
            self.stats.first_prompt_at = now
        packet = RtpPacket(
            self.media.payload_type, self._seq, self._timestamp, self._ssrc, frame, self._first
        )
        data = pack(packet) if self._protect is None else self._protect.protect(pack(packet))
        self.transport.sendto(data, (self.media.address, self.media.port))
        self._seq, self._timestamp, self._first = self._seq + 1, self._timestamp + FRAME, False
        self.stats.packets_sent += 1

    # --- what the caller does ---------------------------------------------------------

    def heard(self, data: bytes, addr: tuple[str, int]) -> None:
        if self._unprotect is not None and addr[0] == self.media.address:
            plain = self._unprotect.unprotect(data)
            if isinstance(plain, Rejected):  # forged, replayed or not SRTP: it keeps no call alive
                self.stats.srtp_rejected[plain.reason] += 1
                self.stats.packets_dropped += 1
                return
            data = plain
        packet = unpack(data)
        if packet is None or addr[0] != self.media.address:
            self.stats.packets_dropped += 1
            return
        self.last_heard = asyncio.get_running_loop().time()
        self.stats.packets_heard += 1
        if packet.payload_type != self.media.event_payload_type:
            if self.listening is not None and packet.payload_type == self.media.payload_type:
                self._listen(packet.payload)
            return
        key = self._dtmf.feed(packet)
        if key:
            self.key_pressed(key)

    def _listen(self, payload: bytes) -> None:
        """The caller's voice: speech stops the prompt (barge-in); an utterance is understood.

        Speech that begins while the line speaks and then means nothing, ``MAX_FALSE_BARGE_INS``
        times in a row, is taken for an echo the guard cannot take out (a speakerphone's
        compressor): from then on only keys stop a prompt, and what is heard over one is
        dropped, so a line's own echo cannot keep interrupting it."""
        if self.listening is None:
            return
        event, samples = self.listening.heard(payload, self.media.payload_type)
        if event == "start":
            self._over_prompt = self.speaking
            if self._over_prompt and self._false_barge_ins < MAX_FALSE_BARGE_INS:
                self.stats.barge_ins += 1
                self.say([], replace=True)
        elif event == "end" and samples is not None:
            if self._over_prompt and self._false_barge_ins >= MAX_FALSE_BARGE_INS:
                return
            self._spawn(self._on_utterance(samples, self._over_prompt))

    async def _on_utterance(self, samples: g711.Samples, over_prompt: bool) -> None:
        async with self._keys_in_order:
            listening, step = self.listening, self.script.listening_for
            if listening is None or not step or not listening.understands(self.script.lang):
                return  # a lookup in progress, or a language the recognizer has no model for
            heard = await listening.understand(samples, step, self.script.lang)
            self.stats.utterances += 1
            self.stats.understood += heard.intent is not None
            if over_prompt:
                self._false_barge_ins = 0 if heard.intent is not None else self._false_barge_ins + 1
            if self.ended.is_set():
                return
            await self._react(self.script.on_spoken(heard.intent, await self._known_day()))

    def key_pressed(self, key: str) -> None:
        """A key, from RFC 4733 or from SIP INFO: the same reaction either way."""
        self._spawn(self._on_key(key))

    async def _on_key(self, key: str) -> None:
        async with self._keys_in_order:
            private = self.script.own.collecting
            self.stats.keys.append("x" if private else key)  # a birth date is not kept in stats
            if self.listening is not None:
                self.listening.ear.reset()  # a key answers the question: a half-said word does not
            await self._react(self.script.on_key(key, await self._known_day()))

    async def _react(self, reaction: Reaction) -> None:
        """What a key or an utterance does (the caller's turn is held: ``_keys_in_order``)."""
        self.say(reaction.prompts, replace=True)
        if reaction.lookup is not None:
            await self._look_up(reaction.lookup)
        if reaction.transfer:
            outcome = await self._transfer(self)
            if outcome != "transferred" and not self.ended.is_set():
                self.say(self.script.transfer_failed(closed=outcome == "closed"), replace=True)
        if reaction.callback:
            ok = await self._on_callback(self)
            self.say(self.script.callback_recorded(ok))

    async def _look_up(self, entry: Entry) -> None:
        try:
            found = await self._find(self, entry)
        except (TimeoutError, OSError, KioskError) as exc:
            log.warning(
                "own appointment lookup failed", extra={"call": self.call_id, "error": type(exc).__name__}
            )
            self.say(self.script.lookup_failed())
            return
        if found is None and entry.matched:  # not the caller-ID match's date: the letters, as without one
            self.say(self.script.not_matched(entry))
            return
        self.say(self.script.looked_up(found))

    def _spawn(self, work: Awaitable[None]) -> None:
        async def guarded() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a failed step costs that step, not the call
                log.error("call step failed", extra={"call": self.call_id, "error": type(exc).__name__})

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class RtpEndpoint(asyncio.DatagramProtocol):
    def __init__(self, call: Call) -> None:
        self.call = call

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.call.heard(data, addr)


__all__ = ["FRAME", "Call", "CallStats", "RtpEndpoint"]
