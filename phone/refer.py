"""Transfer to the front desk, the asyncio edge: send REFER in the caller's dialog (sent
again T1 doubling until it is answered, like any non-INVITE request over UDP), feed its
answer and the NOTIFYs to ``phone.transfer.Transfer``, and hang up once the caller is
with the desk. The line never calls the desk itself: the caller's side does (RFC 3515)."""

from __future__ import annotations

import asyncio
import contextlib
import re

from phone import sip
from phone.call import Call
from phone.line import PhoneLine
from phone.transfer import Outcome, Transfer, sipfrag_status

_T1, _T2 = 0.5, 4.0
_DESK_URI = re.compile(r"^sips?:[^\s<>\"]+$")


def valid_desk_uri(uri: str) -> bool:
    return bool(_DESK_URI.match(uri))


async def refer(line: PhoneLine, call: Call, desk_uri: str, timeout_s: float) -> Outcome:
    """Ask the caller's side to call ``desk_uri``; the outcome once it is known."""
    call_id = line.sip_call_id(call)
    if not call_id:
        return "unavailable"
    loop = asyncio.get_running_loop()
    state = Transfer(loop.time(), timeout_s)
    news = asyncio.Event()
    answered = False

    def on_response(msg: sip.SipMessage, _addr: tuple[str, int]) -> None:
        nonlocal answered
        if msg.cseq[1] != "REFER":
            line.stats["sip_responses"] += 1  # our BYE's answer: nothing waits for it
            return
        answered = answered or msg.status >= 200
        state.on_response(msg.status)
        news.set()

    def on_notify(msg: sip.SipMessage, _addr: tuple[str, int]) -> None:
        if not msg.header("event").lower().startswith("refer"):
            return
        terminated = msg.header("subscription-state").lower().startswith("terminated")
        state.on_notify(sipfrag_status(msg.body), terminated)
        news.set()

    contact = f"<sip:line@{line.config.address}:{line.port}>"
    line.response_handlers[call_id] = on_response
    line.notify_handlers[call_id] = on_notify
    try:
        sent = line.request(call_id, "REFER", (("refer-to", f"<{desk_uri}>"), ("contact", contact)))
        if sent is None:
            return "unavailable"
        interval, resend_at = _T1, loop.time() + _T1
        while state.check(loop.time()) is None and not call.ended.is_set():
            news.clear()
            wait = min(resend_at - loop.time(), 0.5) if not answered else 0.5
            with contextlib.suppress(TimeoutError):  # a timeout is only the next look at the clock
                await asyncio.wait_for(news.wait(), max(wait, 0.01))
            if not answered and not state.accepted and loop.time() >= resend_at:
                line.send(*sent)
                interval = min(interval * 2, _T2)
                resend_at = loop.time() + interval
        outcome = state.outcome if not call.ended.is_set() else "unavailable"
    finally:
        line.response_handlers.pop(call_id, None)
        line.notify_handlers.pop(call_id, None)
    if outcome == "transferred":
        line.hang_up(call_id, "transferred")
    return outcome or "no_answer"


__all__ = ["refer", "valid_desk_uri"]
