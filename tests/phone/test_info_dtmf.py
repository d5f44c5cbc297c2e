"""Keys sent as SIP INFO: the bodies PBXs send read as keys, malformed ones refused with a
reason; and SIPp, a real caller with no RFC 4733, pressing keys over INFO."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from pathlib import Path

import pytest

from devtools.sip_caller import SipCaller
from phone import info_dtmf, sip
from phone.line import LineConfig
from tests.phone.support import bare_line, until
from tests.phone.test_sipp import sipp

SCENARIO = Path(__file__).with_name("sipp_info_dtmf.xml")


@pytest.mark.parametrize(
    ("kind", "body", "key"),
    [
        ("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n", "5"),
        ("application/dtmf-relay", b"signal= #\nduration=250", "#"),
        ("application/dtmf-relay", b"Signal=11\r\nDuration=100", "#"),  # event code, as some PBXs send
        ("application/dtmf-relay", b"Signal=*", "*"),
        ("application/dtmf", b"7", "7"),
        ("application/dtmf", b" d\r\n", "D"),
    ],
)
def test_pbx_bodies_read_as_keys(kind: str, body: bytes, key: str) -> None:
    assert info_dtmf.parse(kind, body) == key


@pytest.mark.parametrize(
    ("kind", "body", "reason"),
    [
        ("application/dtmf-relay", b"Duration=160", "no_signal"),
        ("application/dtmf-relay", b"Signal=1\r\nSignal=2", "several_signals"),
        ("application/dtmf-relay", b"Signal=banana", "unknown_key"),
        ("application/dtmf-relay", b"Signal 5", "bad_line"),
        ("application/dtmf-relay", b"Signal=\xff", "not_ascii"),
        ("application/dtmf", b"", "unknown_key"),
        ("application/dtmf", b"16", "unknown_key"),  # past the last event code (15: D)
        ("application/dtmf", b"1" * 600, "too_large"),
    ],
)
def test_malformed_bodies_name_the_reason(kind: str, body: bytes, reason: str) -> None:
    assert info_dtmf.parse(kind, body) == info_dtmf.NotDtmf(reason)


def test_content_type_ignores_case_and_parameters() -> None:
    assert info_dtmf.content_type("Application/DTMF-Relay; charset=us-ascii") == "application/dtmf-relay"


async def _sipp_presses_keys_over_info(workdir: Path) -> None:
    line, calls, callbacks = bare_line(LineConfig(port=0, allowed=("127.0.0.1",), rtp_timeout_s=20))
    await line.start()
    try:
        code, out = await sipp(line.port, ["-sf", str(SCENARIO)], workdir)
        assert code == 0, out  # every INFO got the answer the scenario expects (200, 200, 200, 400, 415)

        async def called_back() -> bool:
            return len(callbacks) == 1

        await until(called_back, "key 0 (dtmf-relay) to ask for a callback")
        [call] = calls
        assert call.stats.keys == ["0", "1"]  # the retransmitted INFO is not a second 0
        assert call.media.event_payload_type is None  # no RFC 4733 offered: INFO was the only way
        assert line.stats["info_keys"] == 2
        assert line.stats["info_malformed"] == 1 and line.stats["info_malformed_unknown_key"] == 1
        assert line.stats["info_unsupported"] == 1
        assert line.stats["calls_ended_caller_hung_up"] == 1
    finally:
        await line.stop()


@pytest.mark.skipif(shutil.which("sipp") is None, reason="SIPp is not installed (deps/apt-phone.txt)")
def test_sipp_presses_keys_as_sip_info(tmp_path: Path) -> None:
    asyncio.run(asyncio.wait_for(_sipp_presses_keys_over_info(tmp_path), 90))


def _info(caller: SipCaller, cseq: int, kind: str, body: bytes) -> bytes:
    request = caller.request("INFO", cseq, body)
    headers = (*(h for h in request.headers if h[0] != "content-type"), ("content-type", kind))
    return sip.build(dataclasses.replace(request, headers=headers))


async def _retransmitted_infos() -> None:
    line, calls, _ = bare_line(LineConfig(port=0, allowed=("127.0.0.1",), rtp_timeout_s=30))
    await line.start()
    caller = SipCaller(("127.0.0.1", line.port))
    await caller.open()
    try:
        assert (await caller.call()).status == 200
        sent = [
            _info(caller, 5, "application/dtmf-relay", b"Signal=banana"),
            _info(caller, 6, "text/plain", b"5"),
            _info(caller, 7, "application/dtmf", b"5"),
        ]
        for data in sent + sent:  # each sent again, as a caller does when our answer is late
            caller.send_raw(data)

        async def all_answered() -> bool:
            return sum(r.cseq[1] == "INFO" for r in caller.responses) == 6

        await until(all_answered, "an answer to every INFO, retransmissions included", 60)
        statuses = sorted(r.status for r in caller.responses if r.cseq[1] == "INFO")
        assert statuses == [200, 200, 400, 400, 415, 415]
        assert calls[0].stats.keys == ["5"]
        counted = {k: v for k, v in line.stats.items() if k.startswith("info_")}
        assert counted == {"info_malformed": 1, "info_malformed_unknown_key": 1, "info_unsupported": 1,
                           "info_keys": 1}  # fmt: skip
    finally:
        await caller.close()
        await line.stop()


def test_a_retransmitted_info_is_answered_again_and_counted_once() -> None:
    """Beside stress-ng SIPp re-sent a malformed INFO whose 400 was late, and the line
    counted it twice: a CSeq already seen is answered again, never counted or pressed again."""
    asyncio.run(asyncio.wait_for(_retransmitted_infos(), 90))
