"""A slice of the blind-journey figure (``devtools.blind_journeys``, ``a11y_blind_journeys``):
patients who only speak, espeak-ng into the kiosk's real recognizer (Whisper beside the grammar
pass where installed), through the real flow and dialog, from the attract screen with no touch:
one booked patient reaches "checked in", one who is not expected today reaches "staff called"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.bench_blind import kiosk_recognizer
from devtools.blind_journeys import JOURNEYS, Journey, completed_fraction, run_journeys
from speech.tts import Pyttsx3Synthesizer


@pytest.fixture(scope="module")
def voices() -> Iterator[tuple[Pyttsx3Synthesizer, Pyttsx3Synthesizer]]:
    kiosk, patients = Pyttsx3Synthesizer(timeout_s=10), Pyttsx3Synthesizer(timeout_s=10)
    yield kiosk, patients
    kiosk.close()
    patients.close()


def _journey(name: str) -> Journey:
    return next(j for j in JOURNEYS["en"] if j.name == name)


def test_a_booked_patient_is_checked_in_and_an_early_one_gets_staff_by_voice_alone(
    voices: tuple[Pyttsx3Synthesizer, Pyttsx3Synthesizer],
) -> None:
    recognizer = kiosk_recognizer()
    try:
        journeys = (_journey("late"), _journey("too_early"))
        results = run_journeys("en", recognizer, *voices, journeys=journeys, voices=("en-us",))
    finally:
        recognizer.close()
    late, early = results
    assert late.completed, late.log
    assert any(line.startswith("attract: heard") for line in late.log)  # woken by voice, not by a touch
    assert "action: choose" in late.log  # "i'll wait" chosen by voice
    assert early.completed and "action: call_staff" in early.log, early.log
    assert completed_fraction(results) == 1.0


def test_a_booked_patient_who_calls_staff_is_not_counted_as_checked_in(
    voices: tuple[Pyttsx3Synthesizer, Pyttsx3Synthesizer],
) -> None:
    """The figure can fail: a booked patient whose every answer is "call staff" ends with staff
    called, which is not their goal."""
    recognizer = kiosk_recognizer()
    booked = _journey("on_time")
    stuck = Journey("stuck", {**booked.answers, "welcome": "call staff"}, booked.appt_id)
    try:
        (result,) = run_journeys("en", recognizer, *voices, journeys=(stuck,), voices=("en-us",))
    finally:
        recognizer.close()
    assert not result.completed and "action: call_staff" in result.log, result.log
