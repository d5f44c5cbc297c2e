"""Key 9 end to end: SIPp is the caller and presses 9; the line sends REFER to the
configured desk. SIPp as a phone that transfers (202, NOTIFY 100, NOTIFY 200) gets the
line's BYE; SIPp refusing the REFER (603) hears "the front desk cannot take your call"
(pocketsphinx, in the RTP the line sent) and the callback offer, presses 0, and the real
hub records one callback request; SIPp accepting and then saying nothing leaves the caller
on the line after the timeout; outside the desk's hours no REFER goes out and the
caller hears "the front desk is closed now"."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from config.settings import Settings
from hub.service import HubService
from phone.service import PhoneService
from phone.transfer import OfficeHours
from tests.phone.support import Ear, callbacks, dtmf_pcap, phone_settings, recognize, until
from tests.phone.test_own_sipp import scenario
from tests.phone.test_sipp import DTMF_0, sipp
from tests.support.broker import Broker
from tests.support.site import start_hub

HERE = Path(__file__).parent
DESK = "sip:frontdesk@127.0.0.1:5999"  # the URI the scenarios check in Refer-To
_SAID = (
    "please hold while i put you through to the front desk",
    "sorry the front desk cannot take your call right now",
    "thank you the front desk will call you back",  # (not "the front desk is closed now": pocketsphinx
    # took the refusal for it in one run in three, at 8 kHz)
    "to leave a request for a call back press zero",
    "to hear this again press one",
    # espeak pauses at commas: the ear may hear the halves apart
    "to leave a request for a call back",
    "press zero",
    "to hear this again",
    "press one",
)

_CLOSED = (
    "the front desk is closed now",
    "sorry the front desk cannot take your call right now",
    "to leave a request for a call back press zero",
    "please hold while i put you through to the front desk",
    "thank you for calling riverside family practice",
)

pytestmark = pytest.mark.skipif(not DTMF_0.exists(), reason="SIPp is not installed (deps/apt-phone.txt)")


async def _accepted(service: PhoneService, workdir: Path) -> None:
    code, out = await sipp(service.line.port, ["-sf", str(HERE / "sipp_refer_accept.xml")], workdir)
    assert code == 0, out  # it got a REFER naming the desk, and the line's BYE after NOTIFY 200
    assert service.line.stats["transfer_transferred"] == 1
    assert service.line.stats["calls_ended_transferred"] == 1


async def _refused(hub: HubService, service: PhoneService, workdir: Path) -> None:
    ear, port = await Ear.open()
    try:
        scenario = workdir / "sipp_refer_decline.xml"
        scenario.write_text((HERE / "sipp_refer_decline.xml").read_text().replace("EAR_PORT", str(port)))
        run = asyncio.create_task(sipp(service.line.port, ["-sf", str(scenario)], workdir))

        async def refused() -> bool:
            return service.line.stats["transfer_refused"] == 1 or run.done()

        await until(refused, "the line to hear the 603", timeout=60)
        mark = len(ear.heard.frames)
        while mark > 0 and ear.heard.speech[mark - 1]:
            mark -= 1

        async def offer_heard() -> bool:
            return len(ear.heard.utterances(mark, gap_frames=15)) >= 4 or run.done()

        await until(offer_heard, "the line's answer to the refused transfer", timeout=60)
        heard = " ".join(recognize(u, _SAID) for u in ear.heard.utterances(mark, gap_frames=15)[:4])
        code, out = await run
        assert code == 0, out
    finally:
        ear.close()
    assert (
        "sorry the front desk cannot take your call right now to leave a request for a call back press zero"
        in heard
    ), heard

    async def recorded() -> bool:
        return await asyncio.to_thread(callbacks, hub) >= 1

    await until(recorded, "the hub to record the callback request after the refused transfer")
    assert service.line.stats["transfer_refused"] == 1 and service.line.stats["callbacks_requested"] == 1


async def _silent(service: PhoneService, workdir: Path) -> None:
    """A 202, then nothing: the line gives up after transfer_timeout_s (5 s here), keeps the call."""
    code, out = await sipp(service.line.port, ["-sf", str(HERE / "sipp_refer_silent.xml")], workdir)
    assert code == 0, out  # the call was still up for SIPp's own BYE
    assert service.line.stats["transfer_no_answer"] == 1
    assert service.line.stats["calls_ended_caller_hung_up"] >= 2  # the refused call, and this one


async def _closed(service: PhoneService, workdir: Path) -> None:
    """Outside the desk's hours no REFER is sent (SIPp would fail on one it did not expect)."""
    service.desk_hours = OfficeHours.parse("sun 00:00-00:01")  # as a settings file would give it
    ear, port = await Ear.open()
    try:
        code, out = await sipp(service.line.port, ["-sf", str(scenario(workdir, "9", port, 6000))], workdir)
        assert code == 0, out
        heard = [recognize(u, _CLOSED) for u in ear.heard.utterances(0, gap_frames=15)]
    finally:
        ear.close()
    assert "the front desk is closed now" in heard, heard
    assert service.line.stats["transfer_closed"] == 1


async def _scenario(hub: HubService, settings: Settings, workdir: Path) -> None:
    dtmf_pcap(workdir / "press_9.pcap", "9")
    dtmf_pcap(workdir / "press_0.pcap", "0", timestamp=800_000)  # a later press than the 9
    service = PhoneService(settings)
    await service.start()
    try:
        await _accepted(service, workdir)
        await _refused(hub, service, workdir)
        await _silent(service, workdir)
        await _closed(service, workdir)
    finally:
        await service.stop()


def test_key_9_refers_the_caller_to_the_desk_or_offers_a_callback_when_refused(
    broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    settings = phone_settings(broker, tmp_path / "phone")
    settings = replace(settings, phone=replace(settings.phone, desk_uri=DESK, transfer_timeout_s=5))
    try:
        asyncio.run(_scenario(hub, settings, tmp_path))
    finally:
        hub.stop()
