"""The phone line end to end over loopback: a real broker and hub, the line's own sync
cache, a SIP caller; what the line sends is decoded and recognized by pocketsphinx."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from config.settings import PhoneSettings, Settings, UiSettings
from hub.service import HubService
from phone.service import PhoneService
from speech.audio import resample
from speech.grammar import StepGrammar
from speech.intents import Choice, Step
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from tests.phone.caller import TestCaller
from tests.support.broker import Broker
from tests.support.site import site_settings, start_hub, status_request

_NAMES = ("martinez", "okafor", "patel", "chen")  # the cache's order: by full name
_STATES = ("is out today", "is on time", "is running about twenty minutes late")
PHRASES = tuple(f"doctor {n} {s}" for n in _NAMES for s in _STATES)


def recognize(samples: np.ndarray) -> str:
    recognizer = PocketsphinxRecognizer(phone_loop=False, open_pass=False)
    words = frozenset(w for p in PHRASES for w in p.split())
    recognizer.set_grammar(StepGrammar(Step.OUTCOME, "en", {p: Choice(p) for p in PHRASES}, words=words))
    recognizer.start()
    recognizer.accept(resample(samples, 8000, 16000).tobytes())
    text = recognizer.finish().text
    recognizer.close()
    return text


def phone_settings(broker: Broker, state_dir: Path) -> Settings:
    base = site_settings(broker.settings(), state_dir, "phone-1")
    return replace(
        base,
        phone=PhoneSettings(sip_port=0, allowed_peers="127.0.0.0/8", rtp_port_min=0, rtp_timeout_s=20),
        ui=UiSettings(practice_name="Riverside Family Practice"),
    )


async def _until(predicate: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def _status_heard(service: PhoneService) -> list[str]:
    """Call, press 1 once the line speaks (barge-in), and recognize each provider's sentence."""
    caller = TestCaller(("127.0.0.1", service.line.port))
    await caller.open()
    try:
        final = await caller.call()
        assert final.status == 200, final
        await asyncio.wait_for(caller.first_speech.wait(), 10)
        mark = len(caller.heard.frames)
        caller.press("1")

        async def summary_heard() -> bool:
            return len(caller.heard.utterances(mark)) >= 1 + len(_NAMES)

        await _until(summary_heard, "the summary after key 1")
        sentences = caller.heard.utterances(mark)[1 : 1 + len(_NAMES)]
        await caller.hang_up()
        return [recognize(s) for s in sentences]
    finally:
        await caller.close()


def _callbacks(hub: HubService) -> int:
    records = hub.call(lambda store: store.audit.records())
    return sum(1 for r in records if r.action == "callback_request" and r.kiosk_id == "phone-1")


async def _scenario(hub: HubService, settings: Settings) -> None:
    service = PhoneService(settings)
    await service.start()
    try:

        async def day_loaded() -> bool:
            return len((await service.day()).providers) == 4

        await _until(day_loaded, "the phone's cache to hold the day")
        assert hub.set_status(status_request("martinez", "out")).accepted

        async def martinez_is(state: str) -> bool:
            day = await service.day()
            return day.statuses.get("martinez") is not None and day.statuses["martinez"].state == state

        await _until(lambda: martinez_is("out"), "the out status at the phone")
        heard = await _status_heard(service)
        assert heard[0] == "doctor martinez is out today", heard

        assert hub.set_status(status_request("martinez", "on_time")).accepted
        await _until(lambda: martinez_is("on_time"), "the on-time status at the phone")
        heard = await _status_heard(service)
        assert heard[0] == "doctor martinez is on time", heard

        # Key 0: a callback request, recorded once at the hub however often it is pressed.
        caller = TestCaller(("127.0.0.1", service.line.port), number="+15550123")
        await caller.open()
        try:
            assert (await caller.call()).status == 200
            await asyncio.wait_for(caller.first_speech.wait(), 10)
            caller.press("0")

            async def recorded() -> bool:
                return await asyncio.to_thread(_callbacks, hub) >= 1

            await _until(recorded, "the hub to record the callback request")
            caller.press("0")  # "already recorded": nothing new reaches the hub

            async def outbox_empty() -> bool:
                depth = await asyncio.to_thread(
                    service.sync.call, lambda _c: service.sync.outbox.depth(), 5.0
                )
                return depth == 0

            await _until(outbox_empty, "the hub's acknowledgement of the callback request")
            assert await asyncio.to_thread(_callbacks, hub) == 1
            assert service.line.stats["callbacks_requested"] == 1
            await caller.hang_up()

            async def ended() -> bool:
                return service.line.stats["calls_ended"] >= 3

            await _until(ended, "the line to end the call on BYE")
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
