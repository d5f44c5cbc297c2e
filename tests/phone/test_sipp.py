"""SIPp (Debian's sip-tester), a real SIP caller, calls the line and presses 0 with the
RFC 2833 recording SIPp ships: the hub records one callback request."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import Settings
from devtools.local_broker import closed_port, free_port
from devtools.sip_caller import SipCaller
from hub.service import HubService
from phone import sip
from phone.service import PhoneService
from tests.phone.support import callbacks, phone_settings, until
from tests.support.broker import Broker
from tests.support.site import start_hub

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = Path(__file__).with_name("sipp_press_0.xml")
DTMF_0 = Path("/usr/share/sip-tester/dtmf_2833_0.pcap")

pytestmark = pytest.mark.skipif(
    shutil.which("sipp") is None or not DTMF_0.exists(), reason="SIPp is not installed (deps/apt-phone.txt)"
)


async def sipp(
    line_port: int, scenario: list[str], workdir: Path, calls: int = 1, timeout_s: int = 30
) -> tuple[int, str]:
    """SIPp placing ``calls`` calls; ``timeout_s`` ends the whole run (longer than the scenario)."""
    proc = await asyncio.create_subprocess_exec(
        "sipp", *scenario, "-m", str(calls), "-l", str(calls), "-i", "127.0.0.1",
        "-p", str(free_port()), "-mp", str(free_port()), "-timeout", str(timeout_s), "-timeout_error",
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


async def _process_answers(port: int, workdir: Path) -> None:
    probe = SipCaller(("127.0.0.1", port))
    await probe.open()
    try:
        cseq = 1
        while not any(r.status == 200 for r in probe.responses):  # the process is up when OPTIONS is answered
            probe.send_raw(sip.build(probe.request("OPTIONS", cseq)))
            cseq += 1
            await asyncio.sleep(0.2)
    finally:
        await probe.close()
    code, out = await sipp(port, ["-sn", "uac", "-d", "500"], workdir)
    assert code == 0, out


def test_kiosk_phone_run_answers_sipp_with_no_broker(tmp_path: Path) -> None:
    """The real command, offline (no broker at all): it still answers, and stops on SIGTERM."""
    port = free_port()
    config = tmp_path / "phone.toml"
    config.write_text(
        f'[kiosk]\nid = "phone-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path / "state"}"\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {closed_port()}\n'
        f'[phone]\nsip_host = "127.0.0.1"\nsip_port = {port}\nallowed_peers = "127.0.0.1"\nrtp_port_min = 0\n'
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "phone", "run"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        asyncio.run(asyncio.wait_for(_process_answers(port, tmp_path), 90))
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out[-2000:]
    log = out.decode()
    assert '"call answered"' in log and '"caller_hung_up"' in log
    assert "15550" not in log and "sipp" not in log.lower()  # call ids in the log, never the caller
