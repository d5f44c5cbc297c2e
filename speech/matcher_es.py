"""What a Spanish sentence (Whisper's free transcript) means at a step. Pure.

The Spanish twin of ``speech.matcher``: the grammar's phrases exactly, then keywords written
from the kiosk's own Spanish phrase lists (never from the corpus's wordings), then a fuzzy
phrase match. Negation wins over agreement ("no, no soy yo" is a no); a sentence carrying two
meanings is rejected. Whisper writes dates with digits ("12 de marzo de 1980", "1.980"):
``spanish_date`` reads those too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import date

from speech.dates import parse_spoken_date
from speech.grammar import StepGrammar, grammar_options
from speech.intents import (
    CallStaff,
    CheckIn,
    Choice,
    DateOfBirth,
    Help,
    Intent,
    Language,
    Name,
    No,
    Repeat,
    Step,
    Volume,
    Yes,
)
from speech.numbers import normalize

FUZZY_CUTOFF = 0.86
ACCENTED = {
    "si": "sí", "espanol": "español", "ingles": "inglés", "mas": "más", "recepcion": "recepción",
    "aqui": "aquí", "despues": "después", "medico": "médico", "ayudame": "ayúdame",
    "repitalo": "repítalo", "dieciseis": "dieciséis", "veintidos": "veintidós",
    "veintitres": "veintitrés", "veintiseis": "veintiséis", "naci": "nací",
}  # fmt: skip
"""Words of the Spanish grammar whose keys fold their accents, as they are written."""

_RULES: tuple[tuple[tuple[str, ...], Intent], ...] = (
    (("llame al personal", "personal", "recepcionista", "una persona", "alguien"), CallStaff()),
    (("ayuda", "ayudame", "no entiendo", "que hago"), Help()),
    (("repita", "repitalo", "repetir", "no le oi"), Repeat()),
    (("mas alto",), Volume(1)),
    (("mas bajo",), Volume(-1)),
    (("espanol", "castellano", "spanish"), Language("es")),
    (("ingles", "english"), Language("en")),
    (("registrarme", "registrar", "tengo una cita", "tengo cita", "vengo a mi cita"), CheckIn()),
)  # fmt: skip
_OPTION_WORDS: Mapping[str, tuple[str, ...]] = {
    "waiting_late": ("espero", "esperar", "esperare"),
    "return_later": ("vuelvo", "volver", "regreso", "regresar", "mas tarde"),
    "front_desk": ("recepcion",),
    "reschedule": ("otra cita", "cambiar la cita", "otro dia"),
    "other_provider": ("otro doctor", "otra doctora", "otro medico", "otra medica"),
}
_YES = ("si", "claro", "correcto", "exacto", "asi es", "soy yo", "efectivamente", "vale")
_NO = ("no", "incorrecto", "equivocado", "equivocada")
_LONE_YES = ("c", "si")
"""A lone "sí" as Whisper base writes it: "C." (the letter, said "se"), on 4 of 4 espeak-ng voices."""
_QUESTIONS = ("donde", "que", "cuando", "como", "cual", "quien", "por")
_YES_NO_STEPS = (Step.GREETING, Step.CONFIRM, Step.RETRY, Step.CHOOSE_NAME, Step.STILL_HERE)


def spanish_meaning(grammar: StepGrammar, text: str, today: date) -> Intent | None:
    """What Whisper's Spanish ``text`` means at ``grammar``'s step (``None``: none, or two)."""
    if grammar.dates:
        found = spanish_date(text, today)
        if found is not None:
            return DateOfBirth(found)
    return match_spanish(text, grammar.step, grammar.phrases, grammar_options(grammar))


def spanish_date(text: str, today: date) -> date | None:
    """A spoken (or Whisper-written) Spanish birth date: "doce de marzo de mil novecientos
    ochenta", "12 de marzo de 1980", "el 12 de marzo del 1.980"."""
    joined = re.sub(r"(\d)[.,](\d{3})\b", r"\1\2", text)  # "1.980" / "1,980" -> "1980"
    joined = re.sub(r"\ben (\d{4})\b", r"de \1", joined)  # "de mayo en 1978"
    return parse_spoken_date(joined, today, "es")


def match_spanish(
    text: str, step: Step, phrases: Mapping[str, Intent] | None = None, options: tuple[str, ...] = ()
) -> Intent | None:
    words = normalize(text)
    spoken = " ".join(words)
    if not spoken:
        return None
    if phrases and spoken in phrases:
        return phrases[spoken]
    if step in _YES_NO_STEPS and spoken in _LONE_YES:
        return Yes()
    found = _keyword_intents(spoken, words, step, phrases, options)
    if len(found) == 1:
        return found.pop()
    if found:
        return None
    if phrases:
        close = difflib.get_close_matches(spoken, list(phrases), n=1, cutoff=FUZZY_CUTOFF)
        if close:
            return phrases[close[0]]
    return None


def _keyword_intents(
    spoken: str, words: list[str], step: Step, phrases: Mapping[str, Intent] | None, options: tuple[str, ...]
) -> set[Intent]:
    padded = f" {spoken} "
    found: set[Intent] = {intent for keys, intent in _RULES if any(f" {k} " in padded for k in keys)}
    if phrases:
        found |= {i for w in words if isinstance(i := phrases.get(w), Name)}
    if step is Step.OUTCOME:
        found |= {Choice(o) for o in options if any(f" {k} " in padded for k in _OPTION_WORDS.get(o, ()))}
        found.discard(CheckIn())
        if Choice("front_desk") in found:
            found.discard(CallStaff())
    if step in _YES_NO_STEPS:
        answer = _yes_or_no(words)
        if answer is not None:
            found.add(answer)
        if step is Step.RETRY and ("otra" in words or "nuevo" in words):
            found.add(Yes())
    if step is Step.GREETING and CheckIn() in found:
        found.discard(Yes())
    if step is not Step.GREETING:
        found.discard(CheckIn())
    return found


def _yes_or_no(words: list[str]) -> Intent | None:
    if not words or words[0] in _QUESTIONS:
        return None
    said = " ".join(words)
    padded = f" {said} "
    negation = next((i for i, w in enumerate(words) if w in _NO), None)
    if negation is not None:
        before = " ".join(words[:negation])
        if any(f" {y} " in f" {before} " for y in _YES):
            return None  # "sí, no": two answers
        return No()
    if any(f" {y} " in padded for y in _YES):
        return Yes()
    return None


__all__ = ["ACCENTED", "match_spanish", "spanish_date", "spanish_meaning"]
