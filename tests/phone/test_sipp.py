"""SIPp (Debian's sip-tester), a real SIP caller, calls the line and presses 0 with the
RFC 2833 recording SIPp ships: the hub records one callback request."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from config.settings import Settings
from devtools.local_broker import free_port
from hub.service import HubService
from phone.service import PhoneService
from tests.phone.support import callbacks, phone_settings, until
from tests.support.broker import Broker
from tests.support.site import start_hub

SCENARIO = Path(__file__).with_name("sipp_press_0.xml")
DTMF_0 = Path("/usr/share/sip-tester/dtmf_2833_0.pcap")

pytestmark = pytest.mark.skipif(
    shutil.which("sipp") is None or not DTMF_0.exists(), reason="SIPp is not installed (deps/apt-phone.txt)"
)


async def sipp(line_port: int, scenario: list[str], workdir: Path, calls: int = 1) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        "sipp", *scenario, "-m", str(calls), "-l", str(calls), "-i", "127.0.0.1",
        "-p", str(free_port()), "-mp", str(free_port()), "-timeout", "30", "-timeout_error",
        "-nostdin", "-trace_err", f"127.0.0.1:{line_port}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=workdir,
    )  # fmt: skip
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")[-2000:]


async def _scenario(hub: HubService, settings: Settings, workdir: Path) -> None:
    service = PhoneService(settings)
    await service.start()
    try:

        async def day_loaded() -> bool:
            return len((await service.day()).providers) == 4

        await until(day_loaded, "the phone's cache to hold the day")
        code, out = await sipp(service.line.port, ["-sf", str(SCENARIO)], workdir)
        assert code == 0, out

        async def recorded() -> bool:
            return await asyncio.to_thread(callbacks, hub) >= 1

        await until(recorded, "the hub to record SIPp's callback request")
        assert service.line.stats["calls_answered"] == 1
        assert service.line.stats["calls_ended_caller_hung_up"] == 1

        # Three of SIPp's own calls at once (its built-in client), each answered and hung up.
        code, out = await sipp(service.line.port, ["-sn", "uac", "-d", "1500"], workdir, calls=3)
        assert code == 0, out
        assert service.line.stats["calls_answered"] == 4
        assert await asyncio.to_thread(callbacks, hub) == 1
    finally:
        await service.stop()


def test_sipp_calls_the_line_and_leaves_a_callback_request(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    try:
        asyncio.run(_scenario(hub, phone_settings(broker, tmp_path / "phone"), tmp_path))
    finally:
        hub.stop()
