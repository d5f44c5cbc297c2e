"""What a patient's utterance means to the check-in flow: small typed values.

The recognizer produces text; ``speech.grammar.StepGrammar.parse`` turns it into one of
these; ``speech.adapter.apply_intent`` hands it to the flow. A tap on the screen and an
intent are interchangeable because both end in the same flow method.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class Step(enum.Enum):
    """The dialog step, which decides what can be said (and so the grammar)."""

    GREETING = "greeting"  # "Good morning, are you here to check in?"
    DATE_OF_BIRTH = "date_of_birth"  # "What is your date of birth?"
    CHOOSE_NAME = "choose_name"  # several patients share the birth date: "What is your first name?"
    CONFIRM = "confirm"  # "Is this Maria, at nine thirty with Doctor Martinez?"
    OUTCOME = "outcome"  # "... would you like to wait, or leave and come back?"
    RETRY = "retry"  # "I couldn't find your appointment. Would you like to try again?"
    STILL_HERE = "still_here"  # the idle warning: "Are you still there? Say yes, ..."
    COMMON = "common"  # a screen that asks nothing: only help, repeat, call staff, a language


@dataclass(frozen=True)
class Yes:
    pass


@dataclass(frozen=True)
class No:
    pass


@dataclass(frozen=True)
class CheckIn:
    pass


@dataclass(frozen=True)
class CallStaff:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Repeat:
    """ "Say that again": the screen's prompt once more."""


@dataclass(frozen=True)
class Volume:
    """ "Louder" (+1) or "softer" (-1): the voice's level for this patient."""

    change: int


@dataclass(frozen=True)
class DateOfBirth:
    value: date


@dataclass(frozen=True)
class Name:
    """A first name, spelled as the schedule spells it."""

    first_name: str


@dataclass(frozen=True)
class Choice:
    """One of the outcome's options, as the flow names it ("waiting_late", "return_later", ...)."""

    option: str


@dataclass(frozen=True)
class Language:
    code: str  # "en" or "es"


@dataclass(frozen=True)
class Button:
    """One of the screen's own buttons, said rather than touched: "done", "cancel", "start_over",
    "back", "code" (check in with a confirmation code) or "dob" (with a date of birth). A
    grammar hears only the buttons its screen shows (``speech.script.Turn.buttons``)."""

    name: str


Intent = (
    Yes | No | CheckIn | CallStaff | Help | Repeat | Volume | DateOfBirth | Name | Choice | Language | Button
)
