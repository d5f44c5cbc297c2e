"""The seam between heard intents and the check-in flow (which lives in ``kiosk/``).

The flow exposes the same methods the touch screen calls; ``apply_intent`` maps an
intent at a step to one of them, so a voice step and a tap are interchangeable.
``MissCounter`` is the "two misses in a row -> continue on the screen" rule.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from speech.intents import (
    CallStaff,
    CheckIn,
    DateOfBirth,
    Help,
    Intent,
    Language,
    Name,
    No,
    Provider,
    Step,
    Yes,
)


class CheckInFlow(Protocol):
    """What the dialog needs from the flow; the touch UI calls the same methods."""

    def start(self) -> None: ...
    def enter_dob(self, dob: date) -> None: ...
    def choose_name(self, first_name: str) -> None: ...
    def choose_provider(self, provider: str) -> None: ...
    def confirm(self, yes: bool) -> None: ...
    def call_staff(self) -> None: ...
    def set_language(self, code: str) -> None: ...
    def cancel(self) -> None: ...


def apply_intent(step: Step, intent: Intent, flow: CheckInFlow) -> str:
    """Hand ``intent`` (heard at ``step``) to the flow; returns what was done, for logs and tests.

    Returns "help" for ``Help`` (the dialog speaks the help prompt; the flow does not move)
    and "ignored" for an intent that means nothing at this step.
    """
    match intent:
        case CallStaff():
            flow.call_staff()
            return "call_staff"
        case Language(code=code):
            flow.set_language(code)
            return "set_language"
        case Help():
            return "help"
        case Yes() | CheckIn() if step is Step.GREETING:
            flow.start()
            return "start"
        case No() if step is Step.GREETING:
            flow.cancel()
            return "cancel"
        case DateOfBirth(value=dob) if step is Step.DATE_OF_BIRTH:
            flow.enter_dob(dob)
            return "enter_dob"
        case Name(first_name=name) if step is Step.CHOOSE_NAME:
            flow.choose_name(name)
            return "choose_name"
        case No() if step is Step.CHOOSE_NAME:
            flow.call_staff()  # none of the names read out: a person should help
            return "call_staff"
        case Provider(name=name) if step is Step.CHOOSE_PROVIDER:
            flow.choose_provider(name)
            return "choose_provider"
        case Yes() | No() if step is Step.CONFIRM:
            flow.confirm(isinstance(intent, Yes))
            return "confirm"
    return "ignored"


class MissCounter:
    """Counts misses in a row; ``miss()`` is True when the screen should take over."""

    def __init__(self, limit: int = 2) -> None:
        self.limit = limit
        self.in_a_row = 0

    def hit(self) -> None:
        self.in_a_row = 0

    def miss(self) -> bool:
        self.in_a_row += 1
        return self.in_a_row >= self.limit
