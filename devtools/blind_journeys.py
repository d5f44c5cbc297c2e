"""Blind journeys: patients who only speak and listen, through the real flow and voice dialog.

Each journey starts on the attract screen with no touch, no key and no presence sensor: the
patient says "hello", then answers whatever the kiosk asks, in their own words, spoken by
espeak-ng into the kiosk's real recognizer (Whisper beside the grammar pass where the model is
installed, as a kiosk runs; pocketsphinx alone otherwise). A patient who is not understood says
the same again, as people do. A booked patient's journey is complete when the kiosk checks
them in (an arrival queued for their appointment); anyone else's when staff are called.
Each journey has ``MAX_LISTENS`` listens. ``run_journeys(lang)`` gives the completed fraction:
``a11y_blind_journeys`` in ``devtools/bench_blind.py``, a slice in
``tests/devtools/test_blind_journeys.py``. Languages: add a ``JOURNEYS`` entry (the answers in
that language) and the voices that speak it.
"""

from __future__ import annotations

import queue
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from devtools.ui_sample import VISITORS, SampleDay
from domain.flow import CheckInFlow
from speech.attract import AttractInvites
from speech.audio import Audio, Samples
from speech.dialog import VoiceDialog, schedule_vocabulary
from speech.listener import ListenConfig, Listener
from speech.recognizer import Recognizer
from speech.tts import HalfDuplex, MemorySink, Speaker
from sync.messages import ARRIVED

MAX_LISTENS = 16
"""Listens one journey may take (each miss costs one; a clean journey takes 5 or 6)."""
VOICES = {"en": ("en-us", "en-gb", "en-us+f3")}
"""The espeak-ng voices that play the patients, per language."""


@dataclass(frozen=True)
class Journey:
    """One patient: what they say on each screen; ``appt_id`` empty: not booked for now."""

    name: str
    answers: dict[str, str]
    appt_id: str = ""

    @property
    def booked(self) -> bool:
        return self.appt_id != ""


def _booked(key: str, dob: str, **more: str) -> Journey:
    visitor = VISITORS[key]
    answers = {"attract": "hello", "welcome": "yes", "dob": dob, "confirm": "yes", **more}
    return Journey(key, answers, visitor.appt_id)


def _staff(name: str, dob: str = "", **more: str) -> Journey:
    answers = {"attract": "hello", "welcome": "yes", "dob": dob, "message": "call staff", **more}
    return Journey(name, answers)


JOURNEYS: dict[str, tuple[Journey, ...]] = {
    "en": (
        _booked("on_time", "february fourteenth nineteen eighty eight"),
        _booked("late", "september ninth nineteen fifty five", outcome="i'll wait"),
        _booked("twin_a", "march fourth nineteen eighty two", letters="maria"),
        _booked("twin_b", "march fourth nineteen eighty two", letters="my name is james"),
        _booked("long_name", "december thirty first nineteen ninety nine", outcome="i will wait"),
        _staff("too_early", "december first nineteen seventy five"),
        _staff("too_late", "may fifth nineteen sixty six"),
        _staff("already", "january sixth two thousand one"),
        _staff("not_booked", "june second nineteen seventy"),
        _staff("walk_in", welcome="call staff"),
    ),
}


@dataclass
class JourneyResult:
    journey: str
    voice: str
    completed: bool
    listens: int
    seconds: float
    log: list[str] = field(default_factory=list)


GIVE_UP_AFTER = 2
"""Times a patient hears the kiosk list its choices on one screen ("Sorry, I still didn't catch
that. ...") before taking the one it always offers: "call staff"."""


class SpeakingPatient:
    """An ``AudioSource``: on each listen, what the patient says on the screen shown (once,
    in a quiet room), then the room's silence (paced, so a silent listen does not spin).
    Told everything the kiosk says (``heard``): once it has listed its choices
    ``GIVE_UP_AFTER`` times on one screen, the patient says "call staff" instead."""

    def __init__(
        self, say: Callable[[str], Audio], screen: Callable[[], str], answers: dict[str, str]
    ) -> None:
        self.rate = 16000
        self._say = say
        self._screen = screen
        self._answers = answers
        self.listens = 0
        self._on = ""
        self._choices_heard = 0

    def heard(self, caption: str) -> None:
        """What the kiosk said (its caption), as the patient hears it."""
        if caption.startswith(("Sorry, I still didn't catch that.", "Perdón, sigo sin entenderle.")):
            self._choices_heard += 1

    def frames(self) -> Iterator[Samples]:
        self.listens += 1
        rng = np.random.default_rng([7, self.listens])
        screen = self._screen()
        if screen != self._on:
            self._on, self._choices_heard = screen, 0
        words = self._answers.get(screen, "")
        if words and self._choices_heard >= GIVE_UP_AFTER:
            words = self._answers.get("give_up", "call staff")
        step = self.rate * 30 // 1000
        if words:
            clip = _room(self._say(words), rng)
            for start in range(0, len(clip), step):
                yield clip[start : start + step]
        while True:
            time.sleep(0.0015)  # 20 times real time
            yield rng.normal(0, 30, step).astype(np.int16)

    def close(self) -> None:
        pass


def _room(audio: Audio, rng: np.random.Generator) -> Samples:
    """As the kiosk's microphone hears it: 16 kHz, 0.4 s of quiet room either side."""
    clip = audio.resampled(16000).samples.astype(np.float64)
    pad = np.zeros(6400)
    mixed = np.concatenate([pad, clip, pad]) + rng.normal(0, 30, len(clip) + 2 * len(pad))
    return np.clip(mixed, -32768, 32767).astype(np.int16)


def run_journeys(
    lang: str,
    recognizer: Recognizer,
    synth: Any,
    patient_synth: Any,
    *,
    journeys: tuple[Journey, ...] | None = None,
    voices: tuple[str, ...] | None = None,
    timeout_s: float = 240.0,
) -> list[JourneyResult]:
    """Every journey of ``lang`` (or those given) in every voice; one result each. ``synth``
    speaks for the kiosk, ``patient_synth`` (another espeak-ng worker) for the patients."""
    results = []
    clips: dict[tuple[str, str], Audio] = {}
    with tempfile.TemporaryDirectory(prefix="blind-journeys-") as tmp:
        day = SampleDay(Path(tmp))
        try:
            for voice in voices or VOICES[lang]:

                def say(words: str, voice: str = voice) -> Audio:
                    if (words, voice) not in clips:
                        clips[(words, voice)] = patient_synth.synthesize(words, voice, 150)
                    return clips[(words, voice)]

                for journey in journeys or JOURNEYS[lang]:
                    day.restore()
                    results.append(_one(day, journey, voice, lang, recognizer, synth, say, timeout_s))
        finally:
            day.close()
    return results


def _one(  # noqa: PLR0917 - one journey's parts
    day: SampleDay,
    journey: Journey,
    voice: str,
    lang: str,
    recognizer: Recognizer,
    synth: Any,
    say: Callable[[str], Audio],
    timeout_s: float,
) -> JourneyResult:
    work: queue.Queue[Callable[[], None]] = queue.Queue()  # the flow's thread is this one
    flow: CheckInFlow = day.flow()
    flow.set_language(lang)
    vocabulary = schedule_vocabulary(day.cache, day.clock.now().date())
    patient = SpeakingPatient(say, lambda: flow.view.screen.value, journey.answers)
    duplex = HalfDuplex(tail_s=0.0)
    speaker = Speaker(synth, MemorySink(), duplex, patient.heard)
    listener = Listener(recognizer, duplex, ListenConfig(timeout_s=4.0))
    dialog = VoiceDialog(
        flow, work.put, listener, patient, speaker, day.clock,
        vocabulary=lambda: vocabulary, attract=AttractInvites(every_s=3600.0),
    )  # fmt: skip
    flow.add_listener(dialog.on_view)
    started = time.monotonic()

    def done() -> bool:
        if journey.booked:
            return any(m.appointment_id == journey.appt_id and m.outcome in ARRIVED for m in day.sent)
        return flow.view.staff_called

    dialog.start()
    try:
        while (
            not done()
            and not flow.view.staff_called  # a booked patient who called staff: over, not checked in
            and patient.listens <= MAX_LISTENS
            and time.monotonic() - started < timeout_s
        ):
            try:
                work.get(timeout=0.05)()
            except queue.Empty:
                continue
    finally:
        dialog.stop()
        speaker.close()
    return JourneyResult(
        journey.name, voice, done(), patient.listens, time.monotonic() - started, list(dialog.log)
    )


def completed_fraction(results: list[JourneyResult]) -> float:
    return sum(r.completed for r in results) / len(results) if results else 0.0


__all__ = [
    "JOURNEYS",
    "MAX_LISTENS",
    "VOICES",
    "Journey",
    "JourneyResult",
    "completed_fraction",
    "run_journeys",
]
