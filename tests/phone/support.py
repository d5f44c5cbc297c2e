"""What the phone tests share: the line's settings on a test site, waiting on events,
the hub's record of callback requests, and hearing and recognizing what the line said."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import cast

import numpy as np

from config.settings import PhoneSettings, Settings, UiSettings
from devtools.sip_caller import Heard
from hub.service import HubService
from phone import g711, rtp
from phone.call import Call
from phone.g711 import Samples
from phone.line import LineConfig, PhoneLine
from phone.script import CallScript, Day
from phone.sdp import Media
from speech.audio import resample
from speech.grammar import StepGrammar
from speech.intents import Choice, Step
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from tests.support.broker import Broker
from tests.support.site import site_settings

NAMES = ("martinez", "okafor", "patel", "chen")  # the cache's order: by full name
_STATES = ("is out today", "is on time", "is running about twenty minutes late")
PHRASES = tuple(f"doctor {n} {s}" for n in NAMES for s in _STATES)


def recognize(samples: np.ndarray, phrases: tuple[str, ...] = PHRASES) -> str:
    """Which of ``phrases`` pocketsphinx hears in ``samples`` (8 kHz)."""
    recognizer = PocketsphinxRecognizer(phone_loop=False, open_pass=False)
    words = frozenset(w for p in phrases for w in p.split())
    recognizer.set_grammar(StepGrammar(Step.OUTCOME, "en", {p: Choice(p) for p in phrases}, words=words))
    recognizer.start()
    recognizer.accept(resample(samples, 8000, 16000).tobytes())
    text = recognizer.finish().text
    recognizer.close()
    return text


def phone_settings(broker: Broker, state_dir: Path) -> Settings:
    """The line on the test site. It speaks with espeak-ng here (the sentences the phone
    tests recognize were tuned on it); ``tests/phone/test_piper_line.py`` runs Piper."""
    base = site_settings(broker.settings(), state_dir, "phone-1")
    return replace(
        base,
        speech=replace(base.speech, tts="espeak"),
        # rt_priority 0: the tests run as root, and the test's own work (the recognizer) runs
        # on the line's loop thread; tests/phone/test_realtime.py covers the raised loop.
        phone=PhoneSettings(
            sip_port=0, allowed_peers="127.0.0.0/8", rtp_port_min=0, rtp_timeout_s=20, rt_priority=0
        ),
        ui=UiSettings(practice_name="Riverside Family Practice"),
    )


async def until(predicate: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def callbacks(hub: HubService) -> int:
    """Callback requests the hub's audit trail holds from the line."""
    records = hub.call(lambda store: store.audit.records())
    return sum(1 for r in records if r.action == "callback_request" and r.kiosk_id == "phone-1")


class Ear(asyncio.DatagramProtocol):
    """The test's own RTP socket, put in a SIPp caller's SDP offer: it keeps what the line
    sends (SIPp itself records nothing) as ``Heard`` frames, split into utterances later."""

    def __init__(self) -> None:
        self.heard = Heard()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        packet = rtp.unpack(data)
        if packet is None:
            return
        silence = bytes([g711.silence_code(packet.payload_type)]) * len(packet.payload)
        self.heard.payload_type = packet.payload_type
        self.heard.frames.append(packet.payload)
        self.heard.speech.append(packet.payload != silence)

    @classmethod
    async def open(cls) -> tuple[Ear, int]:
        ear = cls()
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: ear, local_addr=("127.0.0.1", 0)
        )
        return ear, int(transport.get_extra_info("sockname")[1])

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def dtmf_pcap(path: Path, keys: str, apart_s: float = 0.4, timestamp: int = 8000) -> Path:
    """A capture of RFC 4733 key presses (payload type 101) for SIPp's ``play_pcap_audio``:
    one event per key, each with its own RTP timestamp as a phone sends them. (Replaying
    sip-tester's one-key recordings twice would repeat a timestamp, which RFC 4733 reads
    as the same press: a birth date's second 1 would be lost; so two captures played in one
    call need different ``timestamp``s.)"""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]  # pcap, Ethernet
    seq = 1000
    for n, key in enumerate(keys):
        for i, packet in enumerate(rtp.event_packets(key, seq, timestamp, 0x5EED, 101)):
            data = rtp.pack(packet)
            udp = struct.pack("!HHHH", 6000, 6000, 8 + len(data), 0) + data
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))  # fmt: skip
            frame = b"\0" * 12 + b"\x08\x00" + ip + udp
            at = n * apart_s + i * 0.02
            out.append(struct.pack("<IIII", int(at), int(at % 1 * 1e6), len(frame), len(frame)) + frame)
        seq, timestamp = seq + 6, timestamp + int(apart_s * 8000)
    path.write_bytes(b"".join(out))
    return path


_RENDERER: list[object] = []


def bare_line(config: LineConfig) -> tuple[PhoneLine, list[Call], list[Call]]:
    """A line with no sync behind it (an empty day): the line, the calls it made, and the
    calls that asked for a callback."""
    from phone.prompts import PromptRenderer

    if not _RENDERER:
        _RENDERER.append(PromptRenderer())
    renderer = _RENDERER[0]
    assert isinstance(renderer, PromptRenderer)
    calls: list[Call] = []
    callbacks_asked: list[Call] = []

    async def render(text: str, lang: str) -> Samples:
        return await asyncio.to_thread(renderer.render, text, lang)

    async def day() -> Day:
        return Day([], {}, "2026-12-07")

    async def callback(call: Call) -> bool:
        callbacks_asked.append(call)
        return True

    def make(call_id: str, media: Media, caller: str) -> Call:
        call = Call(call_id, media, CallScript("Riverside"), render, day, callback, caller)
        calls.append(call)
        return call

    return PhoneLine(config, make), calls, callbacks_asked
