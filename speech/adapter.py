"""The seam between heard intents and the check-in flow (``domain.flow.CheckInFlow``).

The flow exposes the same methods the touch screen calls; ``apply_intent`` maps an
intent at a step to one of them, so a voice step and a tap are interchangeable.
``MissCounter`` counts misses in a row: at its limit the dialog says the screen's choices
aloud (and keeps listening).
"""

from __future__ import annotations

from typing import Protocol

from speech.intents import (
    Button,
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


class CheckInFlow(Protocol):
    """What the dialog needs from the flow; the touch UI calls the same methods."""

    def start(self, method: str = "dob") -> None: ...
    def enter_dob(self, digits: str, method: str = "dob") -> None: ...
    def choose_first_name(self, name: str) -> None: ...
    def confirm(self, yes: bool) -> None: ...
    def choose(self, option: str) -> None: ...
    def call_staff(self) -> None: ...
    def set_language(self, language: str) -> None: ...
    def touch(self) -> None: ...
    def change_volume(self, steps: int) -> None: ...
    def finish(self) -> None: ...
    def back(self) -> None: ...
    def wake(self) -> None: ...


def apply_intent(step: Step, intent: Intent, flow: CheckInFlow) -> str:
    """Hand ``intent`` (heard at ``step``) to the flow; returns what was done.

    Returns "help" for ``Help`` and "repeat" for ``Repeat`` (the dialog speaks the
    screen's help or its prompt again; the flow does not move), "still_here" for a
    "yes" to the idle warning (a touch: the countdown stops, the patient keeps their
    place), "volume" for louder or softer, "decline" for a "no" that ends the
    conversation without touching the flow (the screen stays as it is), and "ignored"
    for an intent that means nothing here.
    """
    done = _anywhere(intent, flow)
    if done:
        return done
    match intent:
        case Yes() if step is Step.STILL_HERE:
            flow.touch()
            return "still_here"
        case Yes() | CheckIn() if step is Step.GREETING or (step is Step.RETRY and intent == Yes()):
            flow.start("dob")
            return "start"
        case No() if step in (Step.GREETING, Step.RETRY):
            return "decline"
        case DateOfBirth(value=dob) if step is Step.DATE_OF_BIRTH:
            flow.enter_dob(dob.strftime("%m%d%Y"), method="voice")
            return "enter_dob"
        case Name(first_name=name) if step is Step.CHOOSE_NAME:
            flow.choose_first_name(name)
            return "choose_first_name"
        case No() if step is Step.CHOOSE_NAME:
            flow.call_staff()  # "none of these": a person should help
            return "call_staff"
        case Yes() | No() if step is Step.CONFIRM:
            flow.confirm(isinstance(intent, Yes))
            return "confirm"
        case Choice(option=option) if step is Step.OUTCOME:
            flow.choose(option)
            return "choose"
        case Button(name=name):
            return _press(name, flow)
    return "ignored"


def _press(button: str, flow: CheckInFlow) -> str:
    """A screen button said aloud: the flow method its touch calls (the grammar offers only
    the buttons the screen shows; ``speech.script.Turn.buttons``)."""
    match button:
        case "done" | "cancel":
            flow.finish()
            return "finish"
        case "start_over" | "back":
            flow.back()
            return "back"
        case "code" | "dob":
            flow.start(button)
            return f"start_{button}"
    return "ignored"


def _anywhere(intent: Intent, flow: CheckInFlow) -> str:
    """The words every step knows ("" for any other intent)."""
    match intent:
        case CallStaff():
            flow.call_staff()
            return "call_staff"
        case Language(code=code):
            flow.set_language(code)
            return "set_language"
        case Volume(change=change):
            flow.change_volume(change)
            return "volume"
        case Help() | Repeat():
            return "help" if isinstance(intent, Help) else "repeat"
    return ""


def means_something(step: Step, intent: Intent) -> bool:
    """Whether ``intent`` does anything at ``step`` (a dry run of ``apply_intent``)."""
    return apply_intent(step, intent, _DryRun()) != "ignored"


class _DryRun:
    def start(self, method: str = "dob") -> None:
        pass

    def enter_dob(self, digits: str, method: str = "dob") -> None:
        pass

    def choose_first_name(self, name: str) -> None:
        pass

    def confirm(self, yes: bool) -> None:
        pass

    def choose(self, option: str) -> None:
        pass

    def call_staff(self) -> None:
        pass

    def set_language(self, language: str) -> None:
        pass

    def touch(self) -> None:
        pass

    def change_volume(self, steps: int) -> None:
        pass

    def finish(self) -> None:
        pass

    def back(self) -> None:
        pass

    def wake(self) -> None:
        pass


class MissCounter:
    """Counts misses in a row; ``miss()`` is True at the limit (and the count starts again)."""

    def __init__(self, limit: int = 2) -> None:
        self.limit = limit
        self.in_a_row = 0

    def hit(self) -> None:
        self.in_a_row = 0

    def miss(self) -> bool:
        self.in_a_row += 1
        if self.in_a_row < self.limit:
            return False
        self.in_a_row = 0
        return True
