"""English and Spanish behind one ``Recognizer``: the step's grammar language picks the ear.

English grammars go to the English recognizer (Whisper tiny.en beside the pocketsphinx grammar
pass). Spanish grammars go to ``speech.whisper_es.SpanishWhisper`` (Whisper base, language
fixed to Spanish), which is loaded only when a Spanish grammar (or a language word, below)
needs it and released when an English grammar is set again: the kiosk holds the base model
only while a patient uses Spanish.

The switch itself: "en español" said in Spanish reaches the English grammar as "in english" or
"espanol" and tiny.en as "It's been old." or "in this manual." (espeak-ng es, es-419). When either
English pass hears a language word,
the Spanish model hears the same audio too: when Whisper's language identification says it
was Spanish (``SWITCH_MIN_SPANISH``), the Spanish closed set (the common phrases, scored by
forced decoding) puts "español" first and the Spanish transcript says nothing else, both
opinions handed on are "Spanish", so the switch is acted on as agreed; otherwise the English
passes decide as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date

from core.errors import SpeechError
from speech.grammar import StepGrammar, build_grammar
from speech.intents import Language, Step
from speech.matcher import match_intent
from speech.matcher_es import spanish_meaning
from speech.recognizer import Hypothesis, Recognizer
from speech.whisper_es import SpanishWhisper, spoken

SWITCH_MIN_SPANISH = 0.5
"""Whisper's probability that an utterance was Spanish, above which a language word heard by
the English passes is taken for "español" (espeak-ng "en español": 0.92 to 0.99)."""
_SPANISH_COMMON = build_grammar(Step.COMMON, lang="es")

_log = logging.getLogger(__name__)


class BilingualRecognizer:
    """English through ``english``; Spanish through a ``SpanishWhisper`` built by ``load_spanish``."""

    sample_rate = 16000

    def __init__(self, english: Recognizer, load_spanish: Callable[[], SpanishWhisper]) -> None:
        self.english = english
        self.engine = english.engine
        self.languages = (*english.languages, "es")
        self._load_spanish = load_spanish
        self.spanish: SpanishWhisper | None = None
        self._grammar: StepGrammar | None = None
        self._pcm = bytearray()
        self._raw = False
        self._switch: tuple[Hypothesis, Hypothesis] | None = None
        self.loads = 0
        """How many times the Spanish model was loaded (for tests and the bench)."""

    @property
    def _active(self) -> Recognizer:
        if self._grammar is not None and self._grammar.lang == "es":
            return self._spanish()
        return self.english

    def _spanish(self) -> SpanishWhisper:
        if self.spanish is None:
            self.spanish = self._load_spanish()
            self.loads += 1
        return self.spanish

    def release_spanish(self) -> None:
        """Give the Spanish model's memory back (an English grammar is in use again)."""
        if self.spanish is not None:
            self.spanish.close()
            self.spanish = None

    def set_grammar(self, grammar: StepGrammar) -> None:
        self._grammar = grammar
        if grammar.lang != "es":
            self.release_spanish()
        self._active.set_grammar(grammar)

    def start(self) -> None:
        self._pcm.clear()
        self._raw = False
        self._switch = None
        self._active.start()

    def accept(self, pcm: bytes) -> None:
        if not self._raw:
            self._pcm.extend(pcm)
        self._active.accept(pcm)

    def accept_raw(self, pcm: bytes) -> None:
        if not self._raw:
            self._raw = True
            self._pcm.clear()
        self._pcm.extend(pcm)
        accept_raw = getattr(self._active, "accept_raw", None)
        if callable(accept_raw):
            accept_raw(pcm)

    def finish(self) -> Hypothesis:
        active = self._active
        heard = active.finish()
        grammar = self._grammar
        if grammar is None or grammar.lang == "es":
            return heard
        self._switch = self._spanish_switch(grammar, heard)
        return heard if self._switch is None else self._switch[0]

    def open_pass(self) -> Hypothesis | None:
        if self._switch is not None:
            return self._switch[1]
        second = getattr(self._active, "open_pass", None)
        result: Hypothesis | None = second() if callable(second) else None
        return result

    def score_texts(self, texts: Sequence[str]) -> list[float]:
        """The English Whisper's forced-decoding scores of ``texts`` against the last utterance
        (``speech.closed_set``); the listener asks only at English steps."""
        score = getattr(self.english, "score_texts", None)
        if not callable(score):
            raise SpeechError("the English recognizer has no closed-set scoring")
        return list(score(texts))

    def _spanish_switch(
        self, grammar: StepGrammar, heard: Hypothesis
    ) -> tuple[Hypothesis, Hypothesis] | None:
        """("spanish", the Spanish transcript) when the English passes heard a language word
        and the Spanish model says the utterance was Spanish for "español"; else ``None``."""
        today = date.min  # no date is parsed at a language word
        second = getattr(self.english, "open_pass", None)
        opened: Hypothesis | None = second() if callable(second) else None
        meanings = {grammar.parse(heard.text, today)}
        if opened is not None:
            meanings.add(match_intent(opened.text, grammar.step, grammar.phrases))
        if not any(isinstance(m, Language) for m in meanings):
            return None
        spanish = self._spanish()
        said = spanish.transcribe(bytes(self._pcm))
        probability = spanish.spanish_probability()
        meaning = spanish_meaning(_SPANISH_COMMON, said.text, today) if said is not None else None
        phrases = sorted(_SPANISH_COMMON.phrases)
        scores = spanish.score([spoken(p) for p in phrases])
        best = _SPANISH_COMMON.phrases[phrases[scores.index(max(scores))]]
        _log.info(
            "speech: a language word; Spanish %.2f, closed set %s, transcript %s", probability, best, meaning
        )
        if said is None or probability < SWITCH_MIN_SPANISH or best != Language("es"):
            return None
        if meaning not in (None, Language("es")):
            return None
        return Hypothesis("spanish", self.engine), Hypothesis(
            "spanish", self.engine, avg_logprob=said.avg_logprob,
            no_speech_prob=said.no_speech_prob, compression_ratio=said.compression_ratio,
        )  # fmt: skip

    def close(self) -> None:
        self.release_spanish()
        self.english.close()


__all__ = ["SWITCH_MIN_SPANISH", "BilingualRecognizer"]
