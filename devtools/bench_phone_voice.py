"""Speech on the phone line (docs/phone.md, "Speaking to the line"): what the line's
recognizer (the pocketsphinx grammar pass beside Whisper tiny.en, the kiosk's agreement
rules) makes of callers speaking down a G.711 line, and what the ear costs.

The callers are espeak-ng voices (two voices, two rates) at 8 kHz, through G.711 both ways,
as ``tests/phone/test_voice_line.py`` sends them:

- ``phone_spoken_choice``: the menu's spoken choices: the share acted on as meant
  (``right``), acted on as something else (``wrong``, the figure that must stay 0), asked
  again (the rest), overall and per phrase;
- ``phone_spoken_dob``: birth dates said at the date step: right / wrong, the same way;
- ``phone_spoken_decision_ms``: an utterance handed to the recognizer → its decision
  (p50/p99), the part of the line's reply that speech adds to a key's;
- ``phone_pacing_while_recognizing``: 5 calls held on one line while a sixth caller speaks
  menu choices every ~2 s (each recognized on the line's recognizer thread): the RTP gap
  p99 (ms) the held callers see, against the same 5 calls with nobody speaking;
- ``phone_echo_guard_us_per_frame``: the ear's CPU time per 20 ms frame while the line
  speaks and its echo comes back (p50/p99, microseconds of the thread's CPU; per call).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from devtools.bench import percentiles
from devtools.sip_caller import SipCaller
from phone import g711
from phone.call import Call
from phone.ear import FRAME, CallEar
from phone.line import LineConfig, PhoneLine
from phone.own_appointment import say_date
from phone.prompts import PromptRenderer
from phone.script import CallScript, Day
from phone.sdp import Media
from phone.voice import CallListening, LineRecognizer, Utterance
from phone.voice_words import date_grammar, menu_choice, menu_grammar
from speech.intents import DateOfBirth
from speech.listener import ListenConfig, Listener

CHOICES = {
    "call me back": "0",
    "please call me back": "0",
    "front desk": "9",
    "talk to the front desk": "9",
    "put me through to the front desk": "9",
    "front office": "9",
    "my appointment": "3",
    "my own appointment": "3",
    "when is my appointment": "3",
    "which doctors are in today": "1",
    "repeat": "1",
    "espanol": "2",
}
VOICES = (("en-us", 140), ("en-us", 170), ("en-us+f3", 150), ("en-us+m3", 160))
TODAY = date(2026, 12, 7)


def _line(renderer: PromptRenderer, text: str) -> np.ndarray:
    return g711.decode(g711.encode(renderer.render(text, "en"), 0), 0)


def _recognizer(models: Path) -> LineRecognizer:
    from devtools.whisper_model import tiny_en_model
    from speech.whisper_engine import WhisperRecognizer

    model = tiny_en_model(models)
    return LineRecognizer(lambda: Listener(WhisperRecognizer(model), config=ListenConfig()))


def _choices(recognizer: LineRecognizer, quick: bool) -> tuple[dict[str, Any], list[float]]:
    grammar = menu_grammar("en")
    right = wrong = total = 0
    per_phrase: dict[str, dict[str, int]] = {}
    decisions: list[float] = []
    for voice, rate in VOICES[:2] if quick else VOICES:
        renderer = PromptRenderer({"en": voice}, rate)
        for phrase, key in CHOICES.items():
            samples = _line(renderer, phrase)
            started = time.perf_counter()
            heard = recognizer.hear_now(Utterance(samples, grammar, TODAY))
            decisions.append((time.perf_counter() - started) * 1000)
            acted = menu_choice(heard.intent)
            tally = per_phrase.setdefault(phrase, {"right": 0, "wrong": 0, "n": 0})
            tally["n"] += 1
            total += 1
            if acted == key:
                right += 1
                tally["right"] += 1
            elif acted:
                wrong += 1
                tally["wrong"] += 1
    result = {"right": round(right / total, 3), "wrong": round(wrong / total, 3), "n": total}
    return {**result, "per_phrase": per_phrase}, decisions


def _dates(recognizer: LineRecognizer, quick: bool) -> tuple[dict[str, Any], list[float]]:
    rng = random.Random(30)
    born = [date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 85)) for _ in range(8 if quick else 24)]
    renderer = PromptRenderer({"en": "en-us"}, 150)
    right = wrong = 0
    decisions: list[float] = []
    for day in born:
        grammar = date_grammar("en", TODAY, [day])
        started = time.perf_counter()
        heard = recognizer.hear_now(Utterance(_line(renderer, say_date(day, "en")), grammar, TODAY))
        decisions.append((time.perf_counter() - started) * 1000)
        if heard.intent == DateOfBirth(day):
            right += 1
        elif heard.intent is not None:
            wrong += 1
    return {
        "right": round(right / len(born), 3),
        "wrong": round(wrong / len(born), 3),
        "n": len(born),
    }, decisions


def _echo_guard(quick: bool) -> dict[str, float]:
    renderer = PromptRenderer()
    text = "If this is an emergency, hang up and dial nine one one. Thank you for calling Riverside."
    sent = _line(renderer, text).astype(np.float64)
    echo = (np.concatenate([np.zeros(960), sent])[: len(sent)] * 0.6).astype(np.int16)
    ear, costs = CallEar(), []
    for _ in range(1 if quick else 3):
        for i in range(0, len(sent) - FRAME, FRAME):
            started = time.thread_time_ns()  # CPU, not wall: a loaded machine's waits are not the ear's
            ear.sent(sent[i : i + FRAME].astype(np.int16), True)
            ear.hear(echo[i : i + FRAME])
            costs.append((time.thread_time_ns() - started) / 1000)
    return percentiles(costs)


def _bare_line(recognizer: LineRecognizer) -> PhoneLine:
    """A line with no sync behind it (an empty day), listening through ``recognizer``."""
    renderer = PromptRenderer()

    async def render(text: str, lang: str) -> g711.Samples:
        return await asyncio.to_thread(renderer.render, text, lang)

    async def day() -> Day:
        return Day([], {}, TODAY.isoformat())

    async def callback(_call: Call) -> bool:
        return True

    def make(call_id: str, media: Media, caller: str) -> Call:
        listening = CallListening(recognizer, lambda: TODAY)
        script = CallScript("Riverside", voice=True)
        return Call(call_id, media, script, render, day, callback, caller, listening=listening)

    return PhoneLine(LineConfig(port=0, allowed=("127.0.0.0/8",), invite_burst=100), make)


async def _gaps(line: PhoneLine, seconds: float, speaking: bool) -> tuple[float, int]:
    """The held calls' RTP gap p99 (ms), and how many utterances the speaker's call recognized."""
    callers = [SipCaller(("127.0.0.1", line.port), number=f"+1555{i:04d}") for i in range(6)]
    for caller in callers:
        await caller.open()
    try:
        for final in await asyncio.gather(*(c.call(30) for c in callers)):
            if final.status != 200:
                raise RuntimeError(f"the line answered {final.status}")
        for caller in callers:
            caller.start_voice()
        await asyncio.sleep(1.0)
        held, speaker = callers[:5], callers[5]
        marks = [len(c.heard.arrivals) for c in held]
        voice = PromptRenderer({"en": "en-us"}, 150)
        phrases = ["my own appointment", "which doctors are in today", "repeat", "please call me back"]
        ends = asyncio.get_running_loop().time() + seconds
        said = 0
        while asyncio.get_running_loop().time() < ends:
            if speaking and not speaker.saying:
                speaker.say(voice.render(phrases[said % len(phrases)], "en"))
                said += 1
            await asyncio.sleep(1.0)
        gaps = []
        for caller, mark in zip(held, marks, strict=True):
            arrivals = caller.heard.arrivals[mark:]
            gaps += [(b - a) * 1000 for a, b in itertools.pairwise(arrivals)]
        heard = sum(d.call.stats.utterances for d in line.dialogs.values())
        for caller in callers:
            await caller.hang_up()
        return percentiles(gaps)["p99"], heard
    finally:
        for caller in callers:
            await caller.close()


def _pacing(recognizer: LineRecognizer, quick: bool) -> dict[str, Any]:
    async def measure() -> dict[str, Any]:
        line = _bare_line(recognizer)
        await line.start()
        try:
            quiet, _ = await _gaps(line, 5.0 if quick else 15.0, speaking=False)
            while line.dialogs:
                await asyncio.sleep(0.05)
            busy, heard = await _gaps(line, 5.0 if quick else 15.0, speaking=True)
        finally:
            await line.stop()
        return {"gap_p99_ms_quiet": quiet, "gap_p99_ms_recognizing": busy, "utterances_recognized": heard}

    return asyncio.run(measure())


def run_bench(quick: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-phone-voice-") as tmp:
        recognizer = _recognizer(Path(tmp))
        try:
            recognizer.warm_up()
            choices, decisions = _choices(recognizer, quick)
            dobs, more = _dates(recognizer, quick)
            pacing = _pacing(recognizer, quick)
        finally:
            recognizer.close()
    return {
        "phone_spoken_choice": choices,
        "phone_spoken_dob": dobs,
        "phone_spoken_decision_ms": percentiles(decisions + more),
        "phone_pacing_while_recognizing": pacing,
        "phone_echo_guard_us_per_frame": _echo_guard(quick),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_bench("--quick" in sys.argv), indent=2))
