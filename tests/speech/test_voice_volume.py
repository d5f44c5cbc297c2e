"""Volume by voice: "louder" / "softer" change the patient's level, bounded, and what the
kiosk says next plays at it (espeak-ng into a fresh pocketsphinx, the real flow)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest

from speech.audio import Audio, rms_dbfs
from speech.grammar import build_grammar
from speech.intents import Step, Volume
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.tts import MemorySink, Pyttsx3Synthesizer
from speech.volume import STEP_DB, VolumeSink, gain
from tests.speech.scripted import Say, wait_until
from tests.speech.test_dialog import Kiosk

TODAY = date(2025, 6, 2)
CODE_PROMPT = "Please type your code on the screen."


@pytest.fixture
def lobby(say: Say, synth: Pyttsx3Synthesizer) -> Iterator[Kiosk]:
    """A kiosk with its own recognizer: nothing another test heard carries into this one."""
    k = Kiosk(say, synth, PocketsphinxRecognizer())
    yield k
    k.close()


def _level_db(audio: Audio) -> float:
    return rms_dbfs(audio.samples)


def test_louder_by_voice_plays_what_follows_one_step_louder_until_the_idle_reset(lobby: Kiosk) -> None:
    lobby.tap("start", "code")
    wait_until(lambda: lobby.said(CODE_PROMPT), what="the code prompt")
    lobby.answer("louder", "repeat")
    wait_until(lambda: lobby.view.volume == 1, what="louder by voice")
    wait_until(lambda: lobby.captions.count(CODE_PROMPT) == 2, what="the prompt again")
    assert lobby.said("Is this better?")
    assert lobby.speaker.wait_idle(20) and len(lobby.sink.played) == len(lobby.captions)
    first, again = (lobby.sink.played[i] for i, c in enumerate(lobby.captions) if c == CODE_PROMPT)
    assert len(first.samples) == len(again.samples)  # the same rendering, from the cache
    assert _level_db(again) - _level_db(first) == pytest.approx(STEP_DB, abs=0.5)
    lobby.tap("reset")  # the idle reset: the next patient hears the configured level
    assert lobby.view.volume == 0 and lobby.volume.level == 0


def test_the_volume_words_in_both_languages_at_every_step() -> None:
    for step in Step:
        english = build_grammar(step, today=TODAY)
        spanish = build_grammar(step, lang="es", today=TODAY)
        assert english.parse("louder", TODAY) == Volume(1) == spanish.parse("más alto", TODAY)
        assert english.parse("softer", TODAY) == Volume(-1) == spanish.parse("más bajo", TODAY)


def test_the_volume_sink_scales_by_whole_steps_and_saturates_without_wrapping() -> None:
    inner = MemorySink()
    sink = VolumeSink(inner)
    tone = Audio((np.sin(np.arange(1600) / 5) * 20000).astype(np.int16), 16000)
    sink.play(tone)
    sink.set_level(-2)
    sink.play(tone)
    sink.set_level(3)
    sink.play(tone)
    plain, softer, louder = inner.pieces
    assert np.array_equal(plain.samples, tone.samples)
    assert _level_db(softer) - _level_db(plain) == pytest.approx(-2 * STEP_DB, abs=0.1)
    assert louder.samples.max() == 32767 and louder.samples.min() == -32768  # clipped, not wrapped
    assert gain(0) == 1.0
    sink.turn_ended()  # the real sink's own methods pass through
    assert len(inner.played) == 1
