"""Spoken clips whose room noise depends only on what is said, for test files that must not
depend on (or shift) what other tests synthesized before them.

The session ``say`` fixture seeds each clip's noise with the number of phrases synthesized
before it, so a file that adds phrases changes later files' audio. A file that defines
``say = own_say_fixture()`` gets its own cache, seeded by the phrase, voice and rate.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from speech.audio import Audio, read_wav, write_wav
from speech.tts import Pyttsx3Synthesizer
from tests.speech.conftest import room
from tests.speech.scripted import Say


def own_say(synth: Pyttsx3Synthesizer, folder: Path) -> Say:
    cache: dict[tuple[str, str, int], Path] = {}

    def _say(text: str, voice: str = "en-us", rate: int = 160) -> Audio:
        key = (text, voice, rate)
        if key not in cache:
            cache[key] = folder / f"{len(cache):03d}.wav"
            seed = zlib.crc32(f"{text}|{voice}|{rate}".encode())
            write_wav(cache[key], room(synth.synthesize(text, voice, rate), seed=seed))
        return read_wav(cache[key])

    return _say


def own_say_fixture() -> Callable[..., Say]:
    """A module-scoped ``say`` fixture with the noise seeded by the phrase (see above)."""

    @pytest.fixture(scope="module")
    def say(synth: Pyttsx3Synthesizer, tmp_path_factory: pytest.TempPathFactory) -> Say:
        return own_say(synth, tmp_path_factory.mktemp("own-say"))

    return say


__all__ = ["own_say", "own_say_fixture"]
