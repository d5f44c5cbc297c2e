"""A small SIP caller for the phone tests and bench (not shipped): INVITE with an offer,
ACK, RTP in (decoded to samples, split into utterances at the line's silences), RFC 4733
keys out, BYE. It speaks the wire itself (the line's codecs only build and read the bytes)."""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from phone import g711, rtp, sdp, sip


@dataclass
class Heard:
    frames: list[bytes] = field(default_factory=list)  # payloads in arrival order
    arrivals: list[float] = field(default_factory=list)
    speech: list[bool] = field(default_factory=list)
    payload_type: int = 0

    def utterances(self, start: int = 0, gap_frames: int = 10, min_frames: int = 15) -> list[np.ndarray]:
        """The speech after frame ``start``, split at runs of ``gap_frames`` silent frames."""
        out: list[np.ndarray] = []
        current: list[bytes] = []
        quiet = 0
        for frame, speech in zip(self.frames[start:], self.speech[start:], strict=True):
            if speech:
                current.append(frame)
                quiet = 0
                continue
            quiet += 1
            if quiet >= gap_frames and current:
                if len(current) >= min_frames:
                    out.append(g711.decode(b"".join(current), self.payload_type))
                current = []
        if len(current) >= min_frames:
            out.append(g711.decode(b"".join(current), self.payload_type))
        return out


class _Udp(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queue.put_nowait((data, addr))


class _Rtp(asyncio.DatagramProtocol):
    """The caller's RTP, read in the callback itself: a queue and a task wake-up per packet
    cost more than the line's whole send, and showed up as jitter in the bench."""

    def __init__(self, caller: SipCaller) -> None:
        self.caller = caller

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.caller.heard_rtp(data)


class SipCaller:
    def __init__(self, line: tuple[str, int], host: str = "127.0.0.1", number: str = "+15550100") -> None:
        self.line = line
        self.host = host
        self.number = number
        self.call_id = secrets.token_hex(8) + "@test"
        self.heard = Heard()
        self.responses: list[sip.SipMessage] = []
        self.media: sdp.Media | None = None
        self.requests_in: list[sip.SipMessage] = []
        self._sip: asyncio.DatagramTransport | None = None
        self._sip_proto = _Udp()
        self._rtp: asyncio.DatagramTransport | None = None
        self._rtp_proto = _Rtp(self)
        self._from = f"<sip:{number}@{host}>;tag={sip.new_tag()}"
        self._to = f"<sip:line@{line[0]}>"
        self._tasks: list[asyncio.Task[None]] = []
        self._seq = 1000
        self._ts = 5000
        self.answered = asyncio.Event()
        self.first_speech = asyncio.Event()
        self.invited_at = 0.0
        self.first_speech_at = 0.0
        self._voice: deque[np.ndarray] = deque()  # 20 ms frames still to say
        self._echo: deque[np.ndarray] = deque()  # the line's frames, to send back as echo
        self._echo_gain = 0.0
        self._echo_delay = 0
        self._echo_drive = 0.0

    async def open(self, rtp_socket: asyncio.DatagramTransport | None = None) -> None:
        """``rtp_socket``: the caller's RTP socket when not asyncio's own (the bench's
        time-stamping one, ``devtools.phone_callers``); it hands packets to ``heard_rtp``."""
        loop = asyncio.get_running_loop()
        self._sip, _ = await loop.create_datagram_endpoint(lambda: self._sip_proto, local_addr=(self.host, 0))
        self._rtp = rtp_socket
        if rtp_socket is None:
            local = (self.host, 0)
            self._rtp, _ = await loop.create_datagram_endpoint(lambda: self._rtp_proto, local_addr=local)
        self._tasks = [loop.create_task(self._read_sip())]

    def request(self, method: str, cseq: int, body: bytes = b"", to: str = "") -> sip.SipMessage:
        port = self._sip.get_extra_info("sockname")[1] if self._sip else 0
        headers: list[tuple[str, str]] = [
            ("via", f"SIP/2.0/UDP {self.host}:{port};branch=z9hG4bK{secrets.token_hex(6)}"),
            ("max-forwards", "70"),
            ("from", self._from),
            ("to", to or self._to),
            ("call-id", self.call_id),
            ("cseq", f"{cseq} {method}"),
            ("contact", f"<sip:{self.number}@{self.host}:{port}>"),
        ]
        if body:
            headers.append(("content-type", "application/sdp"))
        return sip.SipMessage(method=method, uri=f"sip:line@{self.line[0]}:{self.line[1]}",
                              headers=tuple(headers), body=body)  # fmt: skip

    def send_raw(self, data: bytes) -> None:
        self._sockets()[0].sendto(data, self.line)

    def _sockets(self) -> tuple[asyncio.DatagramTransport, asyncio.DatagramTransport]:
        if self._sip is None or self._rtp is None:
            raise RuntimeError("the caller is not open")
        return self._sip, self._rtp

    def _media(self) -> tuple[asyncio.DatagramTransport, sdp.Media]:
        if self.media is None:
            raise RuntimeError("the call was not answered")
        return self._sockets()[1], self.media

    async def call(self, timeout: float = 10.0) -> sip.SipMessage:
        """INVITE, wait for the final response, ACK a 2xx; returns the final response."""
        port = self._sockets()[1].get_extra_info("sockname")[1]
        self.invited_at = asyncio.get_running_loop().time()
        self.send_raw(sip.build(self.request("INVITE", 1, sdp.offer(self.host, port, 1))))
        final = await asyncio.wait_for(self._final(), timeout)
        if final.status == 200:
            offer = sdp.parse_offer(final.body)
            if not isinstance(offer, sdp.Offer):
                raise RuntimeError(f"the line's answer is not usable: {offer}")
            self.media = sdp.Media(
                offer.address, offer.port, offer.payload_types[0], offer.event_payload_type
            )
            self.heard.payload_type = self.media.payload_type
            ack = self.request("ACK", 1, to=final.header("to"))
            self.send_raw(sip.build(ack))
            self._to = final.header("to")
            self.answered.set()
        return final

    async def _final(self) -> sip.SipMessage:
        while True:
            for msg in self.responses:
                if msg.status >= 200 and msg.cseq[1] == "INVITE":
                    return msg
            await asyncio.sleep(0.01)

    def press(self, key: str) -> None:
        sock, media = self._media()
        if media.event_payload_type is None:
            raise RuntimeError("the line did not accept telephone-event")
        for packet in rtp.event_packets(key, self._seq, self._ts, 0x1234, media.event_payload_type):
            sock.sendto(rtp.pack(packet), (media.address, media.port))
        self._seq += 6
        self._ts += 800

    def send_audio_frame(self) -> None:
        """A frame of the caller's (silent) voice, as a phone keeps sending."""
        sock, media = self._media()
        packet = rtp.RtpPacket(media.payload_type, self._seq, self._ts, 0x1234, b"\xff" * 160)
        sock.sendto(rtp.pack(packet), (media.address, media.port))
        self._seq += 1
        self._ts += 160

    def start_voice(self, echo_gain: float = 0.0, echo_delay_ms: int = 0, echo_drive: float = 0.0) -> None:
        """From now on send a frame of the caller's voice every 20 ms, as a phone does: what
        ``say`` queued (else silence), plus, with ``echo_gain``, the line's own audio sent back
        ``echo_delay_ms`` later (a PBX's or a handset's echo); ``echo_drive`` > 0 squashes it
        (tanh, as a speakerphone's compressor does: an echo no linear filter explains)."""
        self._echo_gain = echo_gain
        self._echo_drive = echo_drive
        self._echo_delay = echo_delay_ms // 20
        self._tasks.append(asyncio.get_running_loop().create_task(self._send_voice()))

    def say(self, samples: np.ndarray) -> None:
        """Queue ``samples`` (8 kHz, 16-bit) to be said (``start_voice`` sends them)."""
        padded = np.concatenate([samples, np.zeros(-len(samples) % 160, dtype=np.int16)])
        self._voice.extend(padded.reshape(-1, 160))

    @property
    def saying(self) -> bool:
        return bool(self._voice)

    async def _send_voice(self) -> None:
        loop = asyncio.get_running_loop()
        start, ticks = loop.time(), 0
        while True:
            frame = self._voice.popleft().astype(np.float64) if self._voice else np.zeros(160)
            if self._echo_gain and len(self._echo) > self._echo_delay:
                echo = self._echo.popleft()
                if self._echo_drive:
                    echo = 20000.0 * np.tanh(self._echo_drive * echo / 20000.0)
                frame += self._echo_gain * echo
            if self.media is not None:
                sock, media = self._media()
                pcm = np.clip(np.round(frame), -32768, 32767).astype(np.int16)
                payload = g711.encode(pcm, media.payload_type)
                packet = rtp.RtpPacket(media.payload_type, self._seq, self._ts, 0x1234, payload)
                sock.sendto(rtp.pack(packet), (media.address, media.port))
                self._seq, self._ts = self._seq + 1, self._ts + 160
            ticks += 1
            await asyncio.sleep(max(0.0, start + ticks * 0.02 - loop.time()))

    async def hang_up(self) -> None:
        self.send_raw(sip.build(self.request("BYE", 2)))
        await asyncio.sleep(0)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for transport in (self._sip, self._rtp):
            if transport is not None:
                transport.close()

    async def _read_sip(self) -> None:
        while True:
            data, _addr = await self._sip_proto.queue.get()
            msg = sip.parse(data)
            if isinstance(msg, sip.Malformed):
                continue
            if msg.is_request:
                self.requests_in.append(msg)
                if msg.method == "BYE":
                    self.send_raw(sip.build(sip.response(msg, 200)))
            else:
                self.responses.append(msg)

    def heard_rtp(self, data: bytes, stamp: float | None = None) -> None:
        """A packet from the line; ``stamp``: when it arrived (the kernel's clock), where the
        socket knows; the arrivals are then on that clock, ``first_speech_at`` never is."""
        now = asyncio.get_running_loop().time()
        packet = rtp.unpack(data)
        if packet is None:
            return
        silence = bytes([g711.silence_code(packet.payload_type)]) * len(packet.payload)
        speech = packet.payload != silence
        if self._echo_gain:
            self._echo.append(g711.decode(packet.payload, packet.payload_type).astype(np.float64))
        self.heard.frames.append(packet.payload)
        self.heard.arrivals.append(now if stamp is None else stamp)
        self.heard.speech.append(speech)
        if speech and not self.first_speech.is_set():
            self.first_speech_at = now
            self.first_speech.set()
