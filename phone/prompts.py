"""Prompts as the call's audio: Piper (the kiosk's voice, ``speech.synth_process``) where
a checked voice exists for the language, else espeak-ng (the project's fallback voice)
straight to WAV; either brought to the telephone band at 8 kHz (``speech.phone_band``:
300-3400 Hz, never clipped) and kept as 16-bit samples; the call encodes them to its codec.

Piper runs in one worker process (the kiosk's own, one sentence at a time); espeak-ng is a
short-lived ``espeak-ng --stdout`` process per rendering. A sentence Piper fails to render
is rendered by espeak-ng (counted in ``fallbacks``), so the caller is never left in
silence. Renderings are cached by (text, language): a sentence is the same audio however
often it is said, and a status sentence worded from a new status is new text, so it is
rendered afresh (the cache never says an old status).
"""

from __future__ import annotations

import struct
import subprocess
import threading
from collections import OrderedDict

import numpy as np

from core.errors import SpeechError
from phone.g711 import Samples
from speech.audio import Audio, resample
from speech.phone_band import phone_band
from speech.synth_process import Synthesizer

RATE = 8000
VOICES = {"en": "en-us", "es": "es-419"}


class PromptRenderer:
    def __init__(
        self,
        voices: dict[str, str] | None = None,
        rate_wpm: int = 160,
        timeout_s: float = 10.0,
        cache_size: int = 128,
        command: str = "espeak-ng",
        *,
        piper: Synthesizer | None = None,
        piper_voices: dict[str, str] | None = None,
    ) -> None:
        self.voices = voices or dict(VOICES)
        self.piper = piper
        self.piper_voices = dict(piper_voices or {})  # language -> a checked Piper model path
        self.fallbacks = 0  # sentences Piper could not render (espeak-ng said them)
        self.rate_wpm = rate_wpm
        self.timeout_s = timeout_s
        self.command = command
        self._cache: OrderedDict[tuple[str, str], Samples] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def cached(self, text: str, lang: str) -> Samples | None:
        """``text``'s rendering when it is cached (no thread hop for the sentences every call
        says: a busy synthesizer never delays the emergency line)."""
        with self._lock:
            return self._cache.get((text, lang))

    def render(self, text: str, lang: str) -> Samples:
        """8 kHz 16-bit samples of ``text`` in ``lang``'s voice (any thread)."""
        key = (text, lang)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        samples = self._piper(text, lang)
        if samples is None:
            samples = self._synthesize(text, self.voices.get(lang, self.voices["en"]))
        with self._lock:
            self._cache[key] = samples
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return samples

    def _piper(self, text: str, lang: str) -> Samples | None:
        """``text`` in the language's Piper voice at the telephone band (None: no Piper
        voice for it, or Piper failed: espeak-ng says it)."""
        model = self.piper_voices.get(lang, "")
        if self.piper is None or not model:
            return None
        try:
            audio = self.piper.synthesize(text, model, self.rate_wpm)
        except SpeechError:
            with self._lock:
                self.fallbacks += 1
            return None
        return phone_band(Audio(audio.samples, audio.rate)).samples

    def close(self) -> None:
        if self.piper is not None:
            self.piper.close()

    def _synthesize(self, text: str, voice: str) -> Samples:
        try:
            done = subprocess.run(  # noqa: S603 - fixed program; the text is an argument, not a shell
                [self.command, "-v", voice, "-s", str(self.rate_wpm), "--stdout", "--", text],
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"espeak-ng could not render a prompt: {type(exc).__name__}") from exc
        if done.returncode != 0 or not done.stdout:
            raise SpeechError(f"espeak-ng failed (exit {done.returncode}) for voice {voice!r}")
        rate, pcm = wav_pcm(done.stdout)
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.int16)
        return np.asarray(resample(samples, rate, RATE), dtype=np.int16)


def wav_pcm(data: bytes) -> tuple[int, bytes]:
    """The rate and 16-bit mono samples of espeak-ng's streamed WAV (its sizes are left
    at their maximum, so the ``wave`` module cannot read it)."""
    fmt = data.find(b"fmt ")
    body = data.find(b"data")
    if data[:4] != b"RIFF" or fmt < 0 or body < 0 or len(data) < fmt + 24:
        raise SpeechError("espeak-ng did not write a WAV")
    channels, rate = struct.unpack_from("<HI", data, fmt + 10)
    (bits,) = struct.unpack_from("<H", data, fmt + 22)
    if channels != 1 or bits != 16:
        raise SpeechError(f"espeak-ng wrote {channels} channel(s) of {bits} bits; expected mono 16-bit")
    return rate, data[body + 8 :]


__all__ = ["RATE", "PromptRenderer"]
