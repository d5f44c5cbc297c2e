"""What the phone tests share: the line's settings on a test site, waiting on events,
the hub's record of callback requests, and recognizing what the line said."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from config.settings import PhoneSettings, Settings, UiSettings
from hub.service import HubService
from phone.call import Call
from phone.g711 import Samples
from phone.line import LineConfig, PhoneLine
from phone.script import CallScript, Day
from phone.sdp import Media
from speech.audio import resample
from speech.grammar import StepGrammar
from speech.intents import Choice, Step
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from tests.support.broker import Broker
from tests.support.site import site_settings

NAMES = ("martinez", "okafor", "patel", "chen")  # the cache's order: by full name
_STATES = ("is out today", "is on time", "is running about twenty minutes late")
PHRASES = tuple(f"doctor {n} {s}" for n in NAMES for s in _STATES)


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


async def until(predicate: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def callbacks(hub: HubService) -> int:
    """Callback requests the hub's audit trail holds from the line."""
    records = hub.call(lambda store: store.audit.records())
    return sum(1 for r in records if r.action == "callback_request" and r.kiosk_id == "phone-1")


_RENDERER: list[object] = []


def bare_line(config: LineConfig) -> tuple[PhoneLine, list[Call], list[Call]]:
    """A line with no sync behind it (an empty day): the line, the calls it made, and the
    calls that asked for a callback."""
    from phone.prompts import PromptRenderer

    if not _RENDERER:
        _RENDERER.append(PromptRenderer())
    renderer = _RENDERER[0]
    assert isinstance(renderer, PromptRenderer)
    calls: list[Call] = []
    callbacks_asked: list[Call] = []

    async def render(text: str, lang: str) -> Samples:
        return await asyncio.to_thread(renderer.render, text, lang)

    async def day() -> Day:
        return Day([], {}, "2026-12-07")

    async def callback(call: Call) -> bool:
        callbacks_asked.append(call)
        return True

    def make(call_id: str, media: Media, caller: str) -> Call:
        call = Call(call_id, media, CallScript("Riverside"), render, day, callback, caller)
        calls.append(call)
        return call

    return PhoneLine(config, make), calls, callbacks_asked
