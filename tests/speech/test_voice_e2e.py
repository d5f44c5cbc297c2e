"""A whole voice check-in against a real broker and hub: espeak-ng answers (WAV files through
the listener's microphone path), the Whisper engine built from settings as the kiosk builds it
(and pocketsphinx alone, as where no model is installed), the real flow over the kiosk cache
that KioskSync fills, and the hub records it."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from config.loader import settings_from_mapping
from core.clock import ManualClock
from core.logs import JsonFormatter
from domain.flow import CheckInFlow, Screen
from hub.sample import sample_morning
from speech.dates import EN_MONTHS
from speech.dialog import VoiceDialog, schedule_vocabulary
from speech.listener import ListenConfig, Listener
from speech.numbers import say_number, say_ordinal
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.recognizer import Recognizer
from speech.tts import HalfDuplex, MemorySink, Pyttsx3Synthesizer, Speaker
from speech.wiring import recognizer_from_settings
from sync.cache import KioskCache, Provider
from sync.kiosk_sync import KioskSync
from sync.messages import Appointment, ProviderStatus
from tests.speech.scripted import FlowThread, Say, ScriptedSource, wait_until
from tests.support.broker import Broker
from tests.support.site import RecordingKiosk, start_hub, wait_for


class CacheSource:
    """The flow's ``Source`` over the kiosk cache, which lives on the sync thread."""

    def __init__(self, sync: KioskSync) -> None:
        self.sync = sync

    def appointments_by_dob(self, dobs: list[str]) -> list[Appointment]:
        return self.sync.call(lambda c: c.appointments_by_dob(dobs))

    def appointment_by_code(self, code: str) -> Appointment | None:
        return self.sync.call(lambda c: c.appointment_by_code(code))

    def appointments_for(self, provider_id: str) -> list[Appointment]:
        return self.sync.call(lambda c: c.appointments_for(provider_id))

    def status(self, provider_id: str) -> ProviderStatus | None:
        return self.sync.call(lambda c: c.status(provider_id))

    def provider(self, provider_id: str) -> Provider | None:
        return self.sync.call(lambda c: c.provider(provider_id))


def _spoken_dob(dob: date) -> str:
    high, low = divmod(dob.year, 100)
    year = (
        f"{say_number(high)} {say_number(low)}" if low >= 10 else f"{say_number(high)} oh {say_number(low)}"
    )
    if dob.year >= 2000 and low < 10:  # as people say them: "two thousand nine", not "twenty oh nine"
        year = "two thousand" + (f" {say_number(low)}" if low else "")
    return f"{EN_MONTHS[dob.month - 1]} the {say_ordinal(dob.day)} {year}"


def _patient(cache: KioskCache) -> Appointment:
    """Dr. Chen's first patient whose birth date nobody else booked today."""
    today = [a for p in cache.providers() for a in cache.appointments_for(p.id)]
    shared = Counter(a.dob for a in today)
    return next(a for a in cache.appointments_for("chen") if shared[a.dob] == 1)


def _recognizer(engine: str, request: pytest.FixtureRequest) -> Recognizer:
    """As the kiosk builds it from ``[speech]`` (fresh: no CMN carried from other tests)."""
    if engine == "pocketsphinx":
        return PocketsphinxRecognizer()
    model = request.getfixturevalue("whisper_model")
    settings = settings_from_mapping({"speech": {"engine": "whisper", "whisper_model": str(model)}})
    recognizer = recognizer_from_settings(settings.speech)
    assert recognizer.engine == "whisper"
    return recognizer


@pytest.mark.parametrize("engine", ["whisper", "pocketsphinx"])
def test_a_voice_check_in_reaches_the_hub(
    engine: str,
    request: pytest.FixtureRequest,
    broker: Broker,
    tmp_path: Path,
    say: Say,
    synth: Pyttsx3Synthesizer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    thread = FlowThread()
    captions: list[str] = []
    speaker = Speaker(synth, MemorySink(), HalfDuplex(tail_s=0.0), captions.append)
    dialog: VoiceDialog | None = None
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="the sample morning in the kiosk cache")
        appt = kiosk.sync.call(_patient)
        start = datetime.fromisoformat(appt.start)
        clock = ManualClock(start - timedelta(minutes=5))
        flow = CheckInFlow(CacheSource(kiosk.sync), kiosk.sync.submit, clock, kiosk.sync.kiosk_id)
        source = ScriptedSource()
        recognizer = _recognizer(engine, request)
        listener = Listener(recognizer, HalfDuplex(tail_s=0.0), ListenConfig(timeout_s=4.0))
        dialog = VoiceDialog(
            flow,
            thread.post,
            listener,
            source,
            speaker,
            clock,
            vocabulary=lambda: kiosk.sync.call(lambda c: schedule_vocabulary(c, start.date())),
        )
        flow.add_listener(dialog.on_view)
        dialog.start()
        dob = date.fromisoformat(appt.dob)
        for answer in ("yes please", _spoken_dob(dob), "yes"):
            source.add(say(answer))
        thread.call(flow.wake)
        try:
            wait_for(
                lambda: hub.call(lambda s: s.checkin_count()) == 1, timeout=30, what="the hub to record it"
            )
        finally:
            print("\n".join(dialog.log))
        wait_until(lambda: thread.call(lambda: flow.view.screen) == Screen.OUTCOME, what="the outcome")
        view = thread.call(lambda: flow.view)
        assert view.queued and view.method == "voice" and view.patient is not None
        assert f"Is this {appt.first_name}, at " in " ".join(captions)
        spoken = " ".join(captions).lower()
        assert str(dob.year) not in spoken and _spoken_dob(dob) not in spoken  # never said aloud
        wait_for(lambda: kiosk.outbox_depth() == 0, what="the outbox to drain")
    finally:
        if dialog is not None:
            dialog.stop()
        speaker.close()
        thread.close()
        kiosk.stop()
        hub.stop()
    assert not thread.errors
    # Every log line of the voice check-in, kiosk and hub alike: no last name, no birth date.
    logged = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert "check-in recorded" in logged
    for other in sample_morning(start.date()).appointments:
        assert other.last_name not in logged and other.dob not in logged
