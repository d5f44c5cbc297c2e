"""What the face reads of the voice: the microphone's level while a listen is open, thinking
while an utterance is decoded, speaking with the played audio's envelope in step with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import numpy as np
import pytest

from core.clock import ManualClock
from speech.activity import (
    MeteredRecognizer,
    MeteredSource,
    Playback,
    VoiceMeter,
    envelope,
    frame_level,
    level,
)
from speech.audio import Audio, Samples, rms_dbfs
from speech.grammar import build_grammar
from speech.intents import Step, Yes
from speech.listener import Listener, WavSource
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.recognizer import Hypothesis
from speech.tts import HalfDuplex, Pyttsx3Synthesizer, Speaker
from tests.speech.corpus import TODAY
from tests.speech.scripted import Say


def _clock() -> ManualClock:
    return ManualClock(datetime(2025, 6, 2, 9, 0))


def _tone(dbfs: float, seconds: float, rate: int = 16000) -> Samples:
    """A sine whose RMS is ``dbfs``."""
    t = np.arange(round(seconds * rate)) / rate
    amplitude = 32768.0 * 10 ** (dbfs / 20) * np.sqrt(2)
    samples: Samples = np.round(amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    return samples


# --- pure: scaling and indexing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("dbfs", "expected"),
    [(-120.0, 0.0), (-60.0, 0.0), (-35.0, 0.5), (-10.0, 1.0), (0.0, 1.0), (-50.0, 0.2)],
)
def test_a_level_maps_minus_60_to_minus_10_dbfs_onto_0_to_1(dbfs: float, expected: float) -> None:
    assert level(dbfs) == pytest.approx(expected)


def test_a_level_needs_its_ceiling_above_its_floor() -> None:
    with pytest.raises(ValueError, match="ceiling"):
        level(-30.0, floor_dbfs=-10.0, ceiling_dbfs=-60.0)


def test_a_frame_level_is_its_rms_scaled() -> None:
    assert frame_level(np.zeros(480, np.int16)) == 0.0
    assert frame_level(_tone(-35.0, 0.03)) == pytest.approx(0.5, abs=0.01)
    assert frame_level(_tone(-3.0, 0.03)) == 1.0


def test_the_envelope_has_one_level_per_30_ms_window() -> None:
    rate = 16000
    clip = np.concatenate([np.zeros(480, np.int16), _tone(-35.0, 0.06), _tone(-20.0, 0.015)])
    levels = envelope(Audio(clip, rate))
    assert len(levels) == 4  # 30 + 60 + 15 ms: the last window is the short one
    assert levels[0] == 0.0
    assert levels[1] == pytest.approx(0.5, abs=0.01) and levels[2] == pytest.approx(0.5, abs=0.01)
    assert levels[3] == pytest.approx(0.8, abs=0.02)
    assert envelope(Audio(np.zeros(0, np.int16), rate)) == ()


def test_playback_is_indexed_by_the_time_since_it_began() -> None:
    playback = Playback((0.1, 0.5, 0.9), started=100.0)
    steps = [99.99, 100.0, 100.029, 100.03, 100.061, 100.089, 100.09, 101.0]
    assert [playback.level_at(t) for t in steps] == [0.0, 0.1, 0.1, 0.5, 0.9, 0.9, 0.0, 0.0]


def test_the_meter_speaks_in_step_with_a_stepped_clock() -> None:
    clock = _clock()
    meter = VoiceMeter(clock)
    clip = Audio(np.concatenate([_tone(-35.0, 0.03), np.zeros(480, np.int16), _tone(-10.0, 0.03)]), 16000)
    assert not meter.speaking and meter.speech_level == 0.0
    meter.playing(clip)
    seen = []
    for _ in range(4):
        seen.append((meter.speaking, round(meter.speech_level, 2)))
        clock.advance(0.03)
    meter.played()
    assert seen == [(True, 0.5), (True, 0.0), (True, 1.0), (True, 0.0)]  # past the end: 0, still playing
    assert not meter.speaking and meter.speech_level == 0.0


def test_thinking_lasts_until_the_kiosk_answers_or_listens_at_most_a_few_seconds() -> None:
    clock = _clock()
    meter = VoiceMeter(clock, thinking_max_s=4.0)
    meter.decoding()
    assert meter.thinking
    meter.playing(Audio(np.zeros(160, np.int16), 16000))  # it answers
    assert not meter.thinking
    meter.played()
    meter.decoding()
    meter.listen_opened()  # it listens again
    assert not meter.thinking and meter.listening
    meter.listen_closed()
    meter.decoding()
    clock.advance(4.01)  # it handed over to touch: neither
    assert not meter.thinking


def test_the_mic_level_is_zero_once_the_listen_closes() -> None:
    meter = VoiceMeter(_clock())
    meter.listen_opened()
    meter.heard(_tone(-20.0, 0.03))
    assert meter.listening and meter.mic_level == pytest.approx(0.8, abs=0.01)
    meter.listen_closed()
    assert not meter.listening and meter.mic_level == 0.0


# --- the real listener: pocketsphinx over a WAV ------------------------------------------


class _Watching:
    """The frames a listen reads, with what the meter said as each was read."""

    def __init__(self, source: MeteredSource, meter: VoiceMeter) -> None:
        self.source = source
        self.rate = source.rate
        self.meter = meter
        self.seen: list[tuple[bool, float, float]] = []  # listening, mic level, the frame's dBFS

    def frames(self) -> Iterator[Samples]:
        for frame in self.source.frames():
            self.seen.append((self.meter.listening, self.meter.mic_level, rms_dbfs(frame)))
            yield frame

    def close(self) -> None:
        self.source.close()


class _DecodeWatch:
    """Pocketsphinx, noting whether the face was thinking while it decoded."""

    def __init__(self, engine: PocketsphinxRecognizer, meter: VoiceMeter) -> None:
        self.inner = engine
        self.engine = engine.engine
        self.meter = meter
        self.sample_rate = engine.sample_rate
        self.languages = engine.languages
        self.thinking_while_decoding: list[bool] = []

    def set_grammar(self, grammar: object) -> None:
        self.inner.set_grammar(grammar)  # type: ignore[arg-type]

    def start(self) -> None:
        self.inner.start()

    def accept(self, pcm: bytes) -> None:
        self.inner.accept(pcm)

    def finish(self) -> Hypothesis:
        self.thinking_while_decoding.append(self.meter.thinking)
        return self.inner.finish()

    def close(self) -> None:
        pass

    def open_pass(self) -> Hypothesis | None:
        return self.inner.open_pass()  # the listener's second opinion, as the kiosk's has it


def test_a_real_listen_shows_the_mic_level_rise_with_speech_and_thinking_while_decoding(
    say: Say, pocketsphinx: PocketsphinxRecognizer
) -> None:
    meter = VoiceMeter(_clock())
    watch = _DecodeWatch(pocketsphinx, meter)
    recognizer = MeteredRecognizer(watch, meter)
    source = _Watching(MeteredSource(WavSource(say("yes please")), meter), meter)
    listener = Listener(recognizer, HalfDuplex(_clock()))
    heard = listener.listen(source, build_grammar(Step.GREETING), TODAY)
    assert heard.intent == Yes()
    assert all(listening for listening, _, _ in source.seen)  # the whole listen
    quiet = [lvl for _, lvl, dbfs in source.seen if dbfs < -55]
    loud = [lvl for _, lvl, dbfs in source.seen if dbfs > -30]
    assert quiet and loud, "the clip has room noise either side of the words"
    assert max(quiet) < 0.15 and max(loud) > 0.6 and min(loud) > max(quiet)
    assert watch.thinking_while_decoding == [True]
    assert meter.thinking  # until the kiosk answers
    assert not meter.listening and meter.mic_level == 0.0  # the listen is over


# --- the real speaker: espeak-ng through Speaker -----------------------------------------


class _SteppedSink:
    """Plays in 10 ms steps of the test's clock, reading the face's levels as it goes (half
    a step off the 30 ms windows' edges, so each reading has one window)."""

    def __init__(self, clock: ManualClock, meter: VoiceMeter) -> None:
        self.clock = clock
        self.meter = meter
        self.readings: list[tuple[int, float, bool, float]] = []  # piece, at, speaking, level
        self.played: list[Audio] = []

    def play(self, audio: Audio) -> None:
        piece = len(self.played)
        self.played.append(audio)
        self.clock.advance(0.005)
        for step in range(round(audio.seconds * 100)):
            at = 0.005 + step / 100
            self.readings.append((piece, at, self.meter.speaking, self.meter.speech_level))
            self.clock.advance(0.01)


def test_real_speech_moves_the_mouth_in_step_with_the_audio_and_stops_after(
    synth: Pyttsx3Synthesizer,
) -> None:
    clock = _clock()
    meter = VoiceMeter(clock)
    sink = _SteppedSink(clock, meter)
    speaker = Speaker(synth, sink, HalfDuplex(clock), meter=meter)
    try:
        speaker.say("Good morning. Are you here to check in?")
        assert speaker.wait_idle(20)
    finally:
        speaker.close()
    assert not speaker.errors
    assert len(sink.played) == 2  # sentence by sentence: the second rendered while the first plays
    assert all(speaking for _, _, speaking, _ in sink.readings)  # between sentences too
    levels = [lvl for _, _, _, lvl in sink.readings]
    assert max(levels) > 0.5 and sum(lvl > 0.1 for lvl in levels) > len(levels) / 3
    for piece, at, _, lvl in sink.readings:  # each reading is the level of the audio playing then
        audio = sink.played[piece]
        window = audio.rate * 30 // 1000
        start = int(at / 0.03) * window
        heard = audio.samples[start : start + window]
        expected = level(rms_dbfs(heard)) if len(heard) else 0.0
        assert lvl == pytest.approx(expected, abs=1e-6)
    assert not meter.speaking and meter.speech_level == 0.0
