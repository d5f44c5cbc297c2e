"""The phone line end to end over loopback: a real broker and hub, the line's own sync
cache, a SIP caller; what the line sends is decoded and recognized by pocketsphinx."""

from __future__ import annotations

import asyncio
from pathlib import Path

from config.settings import Settings
from devtools.sip_caller import SipCaller
from hub.service import HubService
from phone.service import PhoneService
from tests.phone.support import NAMES, callbacks, phone_settings, recognize, until
from tests.support.broker import Broker
from tests.support.site import start_hub, status_request


async def _status_heard(service: PhoneService) -> list[str]:
    """Call, press 1 once the line speaks (barge-in), and recognize each provider's sentence."""
    caller = SipCaller(("127.0.0.1", service.line.port))
    await caller.open()
    try:
        final = await caller.call()
        assert final.status == 200, final
        await asyncio.wait_for(caller.first_speech.wait(), 10)
        mark = len(caller.heard.frames)
        caller.press("1")

        async def summary_heard() -> bool:
            return len(caller.heard.utterances(mark)) >= 1 + len(NAMES)

        await until(summary_heard, "the summary after key 1")
        sentences = caller.heard.utterances(mark)[1 : 1 + len(NAMES)]
        await caller.hang_up()
        return [recognize(s) for s in sentences]
    finally:
        await caller.close()


async def _scenario(hub: HubService, settings: Settings) -> None:
    service = PhoneService(settings)
    await service.start()
    try:

        async def day_loaded() -> bool:
            return len((await service.day()).providers) == 4

        await until(day_loaded, "the phone's cache to hold the day")
        assert hub.set_status(status_request("martinez", "out")).accepted

        async def martinez_is(state: str) -> bool:
            day = await service.day()
            return day.statuses.get("martinez") is not None and day.statuses["martinez"].state == state

        await until(lambda: martinez_is("out"), "the out status at the phone")
        heard = await _status_heard(service)
        assert heard[0] == "doctor martinez is out today", heard

        assert hub.set_status(status_request("martinez", "on_time")).accepted
        await until(lambda: martinez_is("on_time"), "the on-time status at the phone")
        heard = await _status_heard(service)
        assert heard[0] == "doctor martinez is on time", heard

        # Key 0: a callback request, recorded once at the hub however often it is pressed.
        caller = SipCaller(("127.0.0.1", service.line.port), number="+15550123")
        await caller.open()
        try:
            assert (await caller.call()).status == 200
            await asyncio.wait_for(caller.first_speech.wait(), 10)
            caller.press("0")

            async def recorded() -> bool:
                return await asyncio.to_thread(callbacks, hub) >= 1

            await until(recorded, "the hub to record the callback request")
            caller.press("0")  # "already recorded": nothing new reaches the hub

            async def outbox_empty() -> bool:
                depth = await asyncio.to_thread(
                    service.sync.call, lambda _c: service.sync.outbox.depth(), 5.0
                )
                return depth == 0

            await until(outbox_empty, "the hub's acknowledgement of the callback request")
            assert await asyncio.to_thread(callbacks, hub) == 1
            assert service.line.stats["callbacks_requested"] == 1
            await caller.hang_up()

            async def ended() -> bool:
                return service.line.stats["calls_ended"] >= 3

            await until(ended, "the line to end the call on BYE")
        finally:
            await caller.close()
    finally:
        await service.stop()


def test_the_line_says_the_live_status_and_takes_a_callback(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    try:
        asyncio.run(_scenario(hub, phone_settings(broker, tmp_path / "phone")))
    finally:
        hub.stop()
