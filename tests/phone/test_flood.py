"""INVITE floods: the token bucket per source address, and a SIPp flood while a call is
held (the flood gets 503 with Retry-After; the held call keeps its RTP)."""

from __future__ import annotations

import asyncio
import secrets
import shutil
from pathlib import Path

import pytest

from devtools.sip_caller import SipCaller
from phone import sdp, sip
from phone.flood import InviteLimiter
from phone.line import LineConfig
from tests.phone.support import bare_line, until
from tests.phone.test_sipp import sipp


def test_a_burst_then_the_rate_per_address() -> None:
    limiter = InviteLimiter(rate=2.0, burst=3)
    assert [limiter.allow("10.0.0.1", 0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("10.0.0.2", 0.0)  # another address has its own bucket
    assert limiter.retry_after("10.0.0.1") == 1
    assert not limiter.allow("10.0.0.1", 0.2) and limiter.allow("10.0.0.1", 0.5)  # one token in 0.5 s
    assert [limiter.allow("10.0.0.1", 100.0) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]  # refills to burst


def test_slow_rates_ask_for_a_longer_wait_and_the_table_is_bounded() -> None:
    slow = InviteLimiter(rate=0.1, burst=1)
    assert slow.allow("a", 0.0) and not slow.allow("a", 0.0)
    assert slow.retry_after("a") == 10
    small = InviteLimiter(rate=1.0, burst=2, max_peers=3)
    for peer in ("a", "b", "c", "d", "e"):
        small.allow(peer, 0.0)
    assert len(small) == 3
    with pytest.raises(ValueError, match="rate"):
        InviteLimiter(rate=0, burst=1)


def _invite(caller: SipCaller, call_id: str) -> bytes:
    msg = caller.request("INVITE", 1, sdp.offer("127.0.0.1", 9, 1))
    headers = tuple((n, call_id if n == "call-id" else v) for n, v in msg.headers)
    return sip.build(sip.SipMessage(method="INVITE", uri=msg.uri, headers=headers, body=msg.body))


async def _stranger_flood() -> None:
    line, _calls, _ = bare_line(LineConfig(port=0, allowed=("10.9.9.9",), invite_rate=0.01, invite_burst=2))
    await line.start()
    caller = SipCaller(("127.0.0.1", line.port))
    await caller.open()
    try:
        for _ in range(5):
            caller.send_raw(_invite(caller, secrets.token_hex(6)))
        caller.send_raw(sip.build(caller.request("OPTIONS", 9)))

        async def options_answered() -> bool:
            return any(r.cseq == (9, "OPTIONS") for r in caller.responses)

        await until(
            options_answered, "the OPTIONS sent after the flood to be answered"
        )  # UDP on loopback keeps order
        invites = [r.status for r in caller.responses if r.cseq[1] == "INVITE"]
        assert invites == [
            403,
            403,
        ]  # the burst is answered; past it, a stranger gets silence (no reflection)
        assert line.stats["invite_rate_limited_dropped"] == 3 and not line.dialogs
    finally:
        await caller.close()
        await line.stop()


def test_a_stranger_over_its_rate_is_dropped_unanswered() -> None:
    asyncio.run(asyncio.wait_for(_stranger_flood(), 60))


async def _flood_while_a_call_is_held(workdir: Path) -> None:
    # 0.01 tokens a second: within this test no token comes back, so the counts are exact.
    config = LineConfig(port=0, allowed=("127.0.0.1",), invite_rate=0.01, invite_burst=3, rtp_timeout_s=60)
    line, _calls, _ = bare_line(config)
    await line.start()
    held = SipCaller(("127.0.0.1", line.port))
    await held.open()
    try:
        assert (await held.call()).status == 200
        await asyncio.wait_for(held.first_speech.wait(), 30)
        before = len(held.heard.frames)

        flood = asyncio.create_task(
            sipp(line.port, ["-sn", "uac", "-r", "50", "-d", "200"], workdir, calls=100)
        )
        while not flood.done():  # the held caller keeps talking through the flood
            held.send_audio_frame()
            await asyncio.sleep(0.02)
        _code, out = await flood  # SIPp fails the calls that got 503: its exit code says so
        during = len(held.heard.frames) - before

        flood_answered = line.stats["calls_answered"] - 1
        assert flood_answered == 2, out  # the burst (3) less the held call
        assert line.stats["invite_rate_limited"] >= 98  # more if SIPp resent an INVITE whose 503 it lost
        assert during > 0  # the held call's RTP kept coming while the line refused the flood
        assert held.call_id in line.dialogs

        late = SipCaller(("127.0.0.1", line.port))
        await late.open()
        refused = await late.call()
        await late.close()
        assert refused.status == 503 and int(refused.header("retry-after")) >= 1
        assert held.call_id in line.dialogs
        await held.hang_up()

        async def ended() -> bool:
            return not line.dialogs

        await until(ended, "the held call to end on its own BYE")
        assert line.stats["calls_ended_caller_hung_up"] == 3 and line.stats["calls_ended_rtp_timeout"] == 0
    finally:
        await held.close()
        await line.stop()


@pytest.mark.skipif(shutil.which("sipp") is None, reason="SIPp is not installed (deps/apt-phone.txt)")
def test_a_sipp_flood_gets_503_and_the_held_call_keeps_its_rtp(tmp_path: Path) -> None:
    asyncio.run(asyncio.wait_for(_flood_while_a_call_is_held(tmp_path), 120))
