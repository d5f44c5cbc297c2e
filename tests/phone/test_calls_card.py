"""The dashboard's calls card from real calls: SIPp calls the line (real mosquitto, the real
hub, the line's outbox), the line reports each call's outcomes when it ends, the hub keeps
them once, and the Board page, read over HTTP as staff see it, counts today's calls, what
callers got and the callbacks waiting; acknowledging the callback on the Escalations page
takes it off the card. No page shows the caller's number."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from devtools.local_broker import free_port
from hub.service import HubService
from phone.service import PhoneService
from tests.hub.web.conftest import PASSWORDS, start_practice, web_client
from tests.phone.support import phone_settings, until
from tests.phone.test_sipp import DTMF_0, SCENARIO, sipp
from tests.support.broker import Broker

pytestmark = pytest.mark.skipif(
    shutil.which("sipp") is None or not DTMF_0.exists(), reason="SIPp is not installed (deps/apt-phone.txt)"
)

CALLER = "+15550199"  # the From of sipp_press_0.xml


async def _long_call(line_port: int, workdir: Path, hold_ms: int) -> tuple[int, str]:
    """SIPp's own caller, held for ``hold_ms`` (past ``sipp``'s 30 s ceiling)."""
    proc = await asyncio.create_subprocess_exec(
        "sipp", "-sn", "uac", "-d", str(hold_ms), "-m", "1", "-i", "127.0.0.1",
        "-p", str(free_port()), "-mp", str(free_port()), "-timeout", "120", "-timeout_error",
        "-nostdin", f"127.0.0.1:{line_port}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=workdir,
    )  # fmt: skip
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")[-2000:]


def _reports(hub: HubService) -> list[str]:
    rows = hub.call(lambda store: store.db.execute("SELECT outcomes FROM phone_calls").fetchall())
    return sorted(str(r[0]) for r in rows)


def _signed_in(url: str, staff_id: str = "desk-ann") -> httpx.Client:
    client = web_client(url)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    answer = client.post(
        "/login", data={"staff_id": staff_id, "password": PASSWORDS[staff_id], "csrf": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


def _card(client: httpx.Client) -> dict[str, str]:
    """The card's figures by id (calls-count, calls-callbacks-waiting) and by outcome label."""
    text = html.unescape(client.get("/part/calls").text)
    assert CALLER not in text and "5550199" not in text
    found = dict(re.findall(r'id="(calls-[a-z-]+)"[^>]*>(\d+)<', text))
    found.update(re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', text))
    return found


async def _calls(hub: HubService, settings_dir: Path, broker: Broker, workdir: Path) -> None:
    settings = phone_settings(broker, settings_dir)
    # SIPp's own caller sends no RTP: the line would hang up on it after rtp_timeout_s.
    settings = replace(settings, phone=replace(settings.phone, rtp_timeout_s=90))
    service = PhoneService(settings)
    await service.start()
    try:

        async def day_loaded() -> bool:
            return len((await service.day()).providers) == 4

        await until(day_loaded, "the phone's cache to hold the day")
        port = service.line.port
        # Four callers at once: one stays through the whole opening (about 30 s with four
        # providers), one presses 0 at once, two hang up after 1.5 s.
        results = await asyncio.gather(
            _long_call(port, workdir / "long", 45_000),
            sipp(port, ["-sf", str(SCENARIO)], workdir / "zero"),
            sipp(port, ["-sn", "uac", "-d", "1500"], workdir / "short", calls=2),
        )
        for code, out in results:
            assert code == 0, out

        async def reported() -> bool:
            return len(await asyncio.to_thread(_reports, hub)) >= 4

        await until(reported, "the hub to record the four calls' reports", timeout=60)
    finally:
        await service.stop()


def test_real_calls_fill_the_calls_card_and_an_acknowledged_callback_leaves_it(
    broker: Broker, tmp_path: Path
) -> None:
    for sub in ("long", "zero", "short"):
        (tmp_path / sub).mkdir()
    practice = start_practice(broker, tmp_path / "hub")
    try:
        asyncio.run(_calls(practice.hub, tmp_path / "phone", broker, tmp_path))
        # Once each (the outbox resends until the hub's ack; the hub keeps one per key).
        assert _reports(practice.hub) == ["callback_left", "hung_up_early", "hung_up_early", "status_heard"]

        client = _signed_in(practice.url)
        card = _card(client)
        assert card["calls-count"] == "4"
        assert card["calls-callbacks-waiting"] == "1"
        assert card["heard the providers' status"] == "1"
        assert card["left a callback request"] == "1"
        assert card["hung up before the status"] == "2"
        assert card["own appointment not found"] == "0"
        board = client.get("/").text
        assert 'id="calls-card"' in board and CALLER not in board

        escalations = client.get("/escalations").text
        assert CALLER not in escalations
        esc_id = re.search(r'id="ack-(callback-phone-1-[0-9a-f-]+)"', escalations)
        csrf = re.search(r'name="csrf" value="([^"]+)"', escalations)
        assert esc_id is not None and csrf is not None
        answer = client.post(f"/escalations/{esc_id.group(1)}/ack", data={"csrf": csrf.group(1)})
        assert answer.status_code == 303
        assert _card(client)["calls-callbacks-waiting"] == "0"
        client.close()
    finally:
        practice.dashboard.stop()
        practice.hub.stop()
