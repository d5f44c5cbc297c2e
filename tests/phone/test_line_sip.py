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


def _line(allowed: tuple[str, ...]) -> PhoneLine:
    async def render(text: str, lang: str) -> Samples:
        return await asyncio.to_thread(_RENDERER.render, text, lang)

    async def day() -> Day:
        return Day([], {}, "2026-12-07")

    async def callback(_call: Call) -> bool:
        return True

    def make(call_id: str, media: Media, caller: str) -> Call:
        return Call(call_id, media, CallScript("Riverside"), render, day, callback, caller)

    return PhoneLine(LineConfig(port=0, allowed=allowed, rtp_timeout_s=2), make)


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
