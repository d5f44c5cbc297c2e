"""The listener's front end: the recognizer hears the noise suppressor's output only where the
room before the utterance was noisy (in a quiet room RNNoise only takes speech away)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from speech.audio import Audio
from speech.denoise import Denoiser
from speech.grammar import StepGrammar, build_grammar
from speech.intents import Step
from speech.listener import ListenConfig, Listener, WavSource
from speech.recognizer import Hypothesis
from tests.speech.clips import espeak
from tests.speech.corpus import TODAY

RATE = 16000


class TapeRecognizer:
    """Records the audio it is given and hears "yes" (a stand-in behind the same interface)."""

    engine = "tape"
    sample_rate = RATE
    languages = ("en",)

    def __init__(self) -> None:
        self.heard = bytearray()

    def set_grammar(self, grammar: StepGrammar) -> None:
        pass

    def start(self) -> None:
        self.heard.clear()

    def accept(self, pcm: bytes) -> None:
        self.heard.extend(pcm)

    def finish(self) -> Hypothesis:
        return Hypothesis(text="yes", engine=self.engine)

    def close(self) -> None:
        pass


def _utterance(speech: Audio, room_rms: float, seed: int) -> Audio:
    """``speech`` with 0.6 s of room before and 1 s after, the room's hiss under all of it."""
    voice = speech.resampled(RATE).samples.astype(np.float64)
    body = np.concatenate([np.zeros(int(0.6 * RATE)), voice, np.zeros(RATE)])
    body += np.random.default_rng(seed).normal(0, room_rms, len(body))
    return Audio(np.clip(body, -32768, 32767).astype(np.int16), RATE)


@pytest.fixture(scope="module")
def yes_please(clip_folder: Path) -> Audio:
    return espeak("yes please", "en-us", 160, clip_folder / "front-end-yes-please.wav")


def _listen(audio: Audio) -> np.ndarray:
    tape = TapeRecognizer()
    listener = Listener(tape, config=ListenConfig(denoiser=Denoiser()))  # type: ignore[arg-type]
    heard = listener.listen(WavSource(audio), build_grammar(Step.GREETING), TODAY)
    assert heard.text == "yes", heard
    return np.frombuffer(bytes(tape.heard), dtype="<i2")


def test_a_quiet_room_is_heard_as_it_is(yes_please: Audio) -> None:
    audio = _utterance(yes_please, 3.0, 11)  # about -80 dBFS: a quiet room
    got = _listen(audio)
    samples = audio.samples
    first = int(np.argmax(np.all(np.lib.stride_tricks.sliding_window_view(samples, 64) == got[:64], axis=1)))
    assert np.array_equal(samples[first : first + len(got)], got), "the recognizer got altered audio"


def test_a_noisy_room_is_heard_through_the_suppressor(yes_please: Audio) -> None:
    hiss = 800.0  # about -32 dBFS
    got = _listen(_utterance(yes_please, hiss, 12)).astype(float)
    head = got[: int(0.2 * RATE)]  # the pre-roll, before the words
    assert np.std(head) < hiss / 4, "the suppressor did not run"
