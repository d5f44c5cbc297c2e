"""Speech input on the line: the line's one recognizer worker, and each call's listening
(its ear and the step's grammar).

An utterance (cut by ``phone.ear.CallEar`` at 8 kHz, the line's own echo taken out) is
padded with quiet line noise, resampled to 16 kHz and replayed through
``speech.listener.Listener``: the same grammar pass (pocketsphinx), the same second
opinion (Whisper tiny.en where installed, else pocketsphinx's open pass) and the same
agreement rules (``speech.agreement``, ``speech.openpass``) as the kiosk. So a "yes" that
only the grammar heard confirms nothing, and a birth date must be the very date both
passes heard.

Recognition runs on one thread of its own (``LineRecognizer``), never on the event loop
that paces every call's RTP; utterances from several calls wait their turn there.
Nothing heard is kept: the samples are dropped once recognized, the words never logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import numpy.typing as npt

from phone import g711
from phone.ear import CallEar
from phone.voice_words import confirm_grammar, date_grammar, menu_grammar, name_grammar, plain_yes
from speech.audio import Audio
from speech.grammar import StepGrammar
from speech.listener import Heard, Listener, WavSource
from speech.vocabulary import Vocabulary

PAD_S = 0.9
"""Line noise around an utterance: the listener's own VAD (600 ms hangover) must end it."""
_SILENT_FRAME = np.zeros(160, dtype=np.int16)
_NOISE_RMS = 10.0  # about -70 dBFS: a quiet line (digital silence throws pocketsphinx's CMN off)


@dataclass(frozen=True)
class Utterance:
    samples: npt.NDArray[np.int16]  # 8 kHz, as the call heard it (the echo taken out)
    grammar: StepGrammar
    today: date


class LineRecognizer:
    """The line's recognizer: one ``Listener`` on one thread. ``await hear(utterance)``."""

    def __init__(self, make_listener: Callable[[], Listener]) -> None:
        self._make_listener = make_listener
        self._listener: Listener | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phone-ear")
        self._noise = np.random.default_rng(7).normal(0.0, _NOISE_RMS, int(PAD_S * 8000)).astype(np.int16)
        self.languages: tuple[str, ...] = ()
        self.engine = ""

    def warm_up(self) -> None:
        """Load the models now (blocking: call it off the loop), not at the first utterance."""
        self._pool.submit(self._listener_now).result()

    def _listener_now(self) -> Listener:
        if self._listener is None:
            self._listener = self._make_listener()
            self.languages = self._listener.recognizer.languages
            self.engine = self._listener.recognizer.engine
        return self._listener

    async def hear(self, utterance: Utterance) -> Heard:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.hear_now, utterance)

    def hear_now(self, utterance: Utterance) -> Heard:
        """Recognize on the calling thread (the worker's; a bench or a test may call it)."""
        listener = self._listener_now()
        audio = Audio(np.concatenate([self._noise, utterance.samples, self._noise]), 8000)
        source = WavSource(audio, rate=listener.recognizer.sample_rate, frame_ms=listener.config.frame_ms)
        return listener.listen(source, utterance.grammar, utterance.today)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._listener is not None:
            self._listener.recognizer.close()


VocabularySource = Callable[[], Awaitable[Vocabulary]]


async def _no_vocabulary() -> Vocabulary:
    return Vocabulary()


class CallListening:
    """One call's listening: its ear (VAD and echo guard) on the loop, its utterances heard
    by the line's recognizer with the grammar of the step the call is at."""

    def __init__(
        self,
        recognizer: LineRecognizer,
        today: Callable[[], date],
        vocabulary: VocabularySource = _no_vocabulary,
    ) -> None:
        self.recognizer = recognizer
        self.ear = CallEar()
        self._today = today
        self._vocabulary = vocabulary

    def sent(self, payload: bytes, payload_type: int, speech: bool) -> None:
        """A frame the line sent (for the echo guard; decoded only while it needs it)."""
        if self.ear.guard.wants(speech):
            self.ear.sent(g711.decode(payload, payload_type), speech)
        else:
            self.ear.guard.sent(_SILENT_FRAME, speech)

    def heard(self, payload: bytes, payload_type: int) -> tuple[str | None, npt.NDArray[np.int16] | None]:
        """A frame the caller sent: ``phone.ear.CallEar.hear``'s event."""
        return self.ear.hear(g711.decode(payload, payload_type))

    def understands(self, lang: str) -> bool:
        """The recognizer has a model for ``lang`` (pocketsphinx and tiny.en: English only)."""
        return lang in self.recognizer.languages

    async def understand(self, samples: npt.NDArray[np.int16], step: str, lang: str) -> Heard:
        """What the caller said at ``step`` ("menu", "dob", "confirm", "name")."""
        today = self._today()
        if step == "dob":
            grammar = date_grammar(lang, today, (await self._vocabulary()).dobs)
        elif step == "name":
            grammar = name_grammar(lang, (await self._vocabulary()).first_names)
        elif step == "confirm":
            grammar = confirm_grammar(lang)
        else:
            grammar = menu_grammar(lang)
        heard = await self.recognizer.hear(Utterance(samples, grammar, today))
        if step != "confirm":
            return heard
        second = heard.whisper.text if heard.whisper is not None else heard.open_text
        intent = plain_yes(grammar, heard.intent, second)
        return heard if intent == heard.intent else replace(heard, status="unsure", intent=None, via="")


__all__ = ["CallListening", "LineRecognizer", "Utterance", "VocabularySource"]
