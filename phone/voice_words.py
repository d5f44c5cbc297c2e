"""The words the line listens for at each step of a call (pure: grammars and what a spoken
answer stands for; no audio, no engine). ``phone.voice`` hears them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from speech.grammar import StepGrammar, build_grammar
from speech.intents import CallStaff, CheckIn, Choice, Help, Intent, Language, No, Repeat, Step, Yes
from speech.numbers import normalize

MENU_OPTIONS = ("which_doctors", "own_appointment", "callback", "front_desk")
_MENU: dict[str, dict[str, Intent]] = {
    "en": {
        "repeat": Repeat(), "repeat that": Repeat(), "say that again": Repeat(), "again": Repeat(),
        "which doctors are in": Choice("which_doctors"),
        "which doctors are in today": Choice("which_doctors"),
        "who is in today": Choice("which_doctors"), "which doctors": Choice("which_doctors"),
        "my appointment": Choice("own_appointment"), "my own appointment": Choice("own_appointment"),
        "when is my appointment": Choice("own_appointment"), "appointment": Choice("own_appointment"),
        "call me back": Choice("callback"), "please call me back": Choice("callback"),
        "call back": Choice("callback"), "a call back": Choice("callback"),
        "front desk": Choice("front_desk"), "the front desk": Choice("front_desk"),
        "talk to the front desk": Choice("front_desk"), "receptionist": Choice("front_desk"),
        "talk to a person": Choice("front_desk"), "front office": Choice("front_desk"),
        "put me through to the front desk": Choice("front_desk"), "transfer me": Choice("front_desk"),
        "spanish": Language("es"), "espanol": Language("es"), "in spanish": Language("es"),
        "help": Help(),
    },
    "es": {
        "repita": Repeat(), "otra vez": Repeat(),
        "que doctores atienden hoy": Choice("which_doctors"), "que doctores": Choice("which_doctors"),
        "mi cita": Choice("own_appointment"), "cuando es mi cita": Choice("own_appointment"),
        "llamenme": Choice("callback"), "que me llamen": Choice("callback"),
        "recepcion": Choice("front_desk"), "hablar con la recepcion": Choice("front_desk"),
        "ingles": Language("en"), "english": Language("en"), "ayuda": Help(),
    },
}  # fmt: skip


def menu_grammar(lang: str) -> StepGrammar:
    """The menu's spoken choices (the keys' equivalents). An outcome-like step: its choices
    are ``Choice`` intents, so the kiosk's matcher reads Whisper's words the same way."""
    phrases = dict(_MENU[lang])
    words = frozenset(w for p in phrases for w in p.split())
    return StepGrammar(Step.OUTCOME, lang, phrases, words=words)


def date_grammar(lang: str, today: date, dobs: Iterable[date] = ()) -> StepGrammar:
    """A birth date, as the kiosk's date step hears it (today's booked dates favoured in a
    near tie; Whisper must still hear the very same date)."""
    return build_grammar(Step.DATE_OF_BIRTH, lang=lang, today=today, dobs=dobs)


def confirm_grammar(lang: str) -> StepGrammar:
    """Yes or no to the birth date read back: a "yes" here confirms an identity, so it needs
    both passes (``speech.agreement.changes_something``)."""
    return build_grammar(Step.CONFIRM, lang=lang)


def name_grammar(lang: str, names: Iterable[str]) -> StepGrammar:
    """A first name: every first name on today's schedule (the same list whatever birth date
    was given, so what is listened for tells nothing about it)."""
    return build_grammar(Step.CHOOSE_NAME, names=names, lang=lang)


def menu_choice(intent: Intent | None) -> str:
    """The menu key a spoken intent stands for ("" for none): the voice takes the keys' path."""
    if isinstance(intent, Repeat):
        return "1"
    if isinstance(intent, Language):
        return "2" if intent.code == "es" else ""
    if isinstance(intent, CheckIn):
        return "3"
    if isinstance(intent, CallStaff):
        return "9"
    if isinstance(intent, Choice):
        return {"which_doctors": "1", "own_appointment": "3", "callback": "0", "front_desk": "9"}.get(
            intent.option, ""
        )
    return ""


def plain_yes(grammar: StepGrammar, intent: Intent | None, second_opinion: str) -> Intent | None:
    """The phone's one rule beyond the kiosk's: a "yes" that confirms an identity counts only
    when the second pass heard a yes and nothing else ("Yeah." does; "Yeah, hello", which
    Whisper made of "yellow" said down the line, does not). Anyone can dial the line and no
    screen shows what was understood, so a yes buried in other words is asked again."""
    if not isinstance(intent, Yes):
        return intent
    said = " ".join(normalize(second_opinion))
    return intent if isinstance(grammar.phrases.get(said), Yes) else None


def is_yes(intent: Intent | None) -> bool | None:
    """True for yes, False for no, None for anything else."""
    if isinstance(intent, Yes):
        return True
    if isinstance(intent, No):
        return False
    return None


__all__ = [
    "MENU_OPTIONS",
    "confirm_grammar",
    "date_grammar",
    "is_yes",
    "menu_choice",
    "menu_grammar",
    "name_grammar",
    "plain_yes",
]
