"""The SIP side over loopback: who may call, what malformed input costs, answers to each method."""

from __future__ import annotations

import asyncio

from devtools.sip_caller import SipCaller
from phone import sip
from phone.call import Call
from phone.g711 import Samples
from phone.line import LineConfig, PhoneLine
from phone.prompts import PromptRenderer
from phone.script import CallScript, Day
from phone.sdp import Media

_RENDERER = PromptRenderer()


def _line(allowed: tuple[str, ...], max_calls: int = 30, broken_cache: bool = False) -> PhoneLine:
    async def render(text: str, lang: str) -> Samples:
        return await asyncio.to_thread(_RENDERER.render, text, lang)

    async def day() -> Day:
        if broken_cache:
            raise TimeoutError("the sync worker did not answer")
        return Day([], {}, "2026-12-07")

    async def callback(_call: Call) -> bool:
        return True

    def make(call_id: str, media: Media, caller: str) -> Call:
        return Call(call_id, media, CallScript("Riverside"), render, day, callback, caller)

    return PhoneLine(LineConfig(port=0, allowed=allowed, rtp_timeout_s=2, max_calls=max_calls), make)


async def _forbidden_and_malformed() -> None:
    line = _line(("10.9.9.9",))
    await line.start()
    caller = SipCaller(("127.0.0.1", line.port))
    await caller.open()
    try:
        final = await caller.call()
        assert final.status == 403
        assert line.stats["sip_forbidden"] == 1 and not line.dialogs
    finally:
        await caller.close()
        await line.stop()


async def _allowed_peer() -> None:
    line = _line(("127.0.0.0/8",))
    await line.start()
    caller = SipCaller(("127.0.0.1", line.port))
    await caller.open()
    try:
        for junk in (b"\x00\x01garbage", b"INVITE sip:x SIP/2.0\r\n\r\n", b"SIP/2.0 200\r\nVia: x\r\n\r\n"):
            caller.send_raw(junk)
        caller.send_raw(sip.build(caller.request("OPTIONS", 7)))

        async def options_answered() -> bool:
            return any(r.cseq == (7, "OPTIONS") for r in caller.responses)

        while not await options_answered():  # UDP on loopback keeps order: the junk came first
            await asyncio.sleep(0.01)
        assert line.stats["sip_malformed"] == 3
        assert next(r for r in caller.responses if r.cseq[1] == "OPTIONS").status == 200

        assert (await caller.call()).status == 200
        # The caller never sends RTP: the line hangs up with a BYE after rtp_timeout_s.
        while not any(r.method == "BYE" for r in caller.requests_in):
            await asyncio.sleep(0.05)
        assert line.stats["calls_ended_rtp_timeout"] == 1 and not line.dialogs
    finally:
        await caller.close()
        await line.stop()


def test_a_peer_not_configured_gets_403() -> None:
    asyncio.run(asyncio.wait_for(_forbidden_and_malformed(), 60))


def test_malformed_sip_is_dropped_and_counted_and_silent_calls_are_hung_up() -> None:
    asyncio.run(asyncio.wait_for(_allowed_peer(), 60))


async def _busy_and_broken_cache() -> None:
    line = _line(("127.0.0.1",), max_calls=1, broken_cache=True)
    await line.start()
    first, second = SipCaller(("127.0.0.1", line.port)), SipCaller(("127.0.0.1", line.port))
    await first.open()
    await second.open()
    try:
        assert (await first.call()).status == 200
        assert (await second.call()).status == 486  # one call at most: the next is busy
        assert line.stats["invite_busy"] == 1
        # The cache does not answer: the caller still hears the line (emergency first).
        await asyncio.wait_for(first.first_speech.wait(), 20)
        await first.hang_up()
        while line.dialogs:
            await asyncio.sleep(0.02)
    finally:
        await first.close()
        await second.close()
        await line.stop()


def test_calls_past_max_calls_are_busy_and_a_dead_cache_still_gets_the_emergency_line() -> None:
    asyncio.run(asyncio.wait_for(_busy_and_broken_cache(), 60))
