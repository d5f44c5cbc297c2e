"""Keys sent as SIP INFO: the bodies PBXs send read as keys, malformed ones refused with a
reason; and SIPp, a real caller with no RFC 4733, pressing keys over INFO."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from phone import info_dtmf
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
