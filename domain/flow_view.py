"""What the check-in flow shows and reads: its screens, its immutable view, its settings
and the source it looks appointments up in. Qt-free; ``domain.flow`` re-exports these."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from domain.estimate import ArrivalWindow, Outcome
from sync.cache import Provider
from sync.messages import Appointment, ProviderStatus


class Screen(StrEnum):
    ATTRACT = "attract"
    WELCOME = "welcome"
    DOB = "dob"
    LETTERS = "letters"
    CODE = "code"
    CONFIRM = "confirm"
    OUTCOME = "outcome"
    DONE = "done"
    MESSAGE = "message"


VOLUME_RANGE = (-3, 3)
"""How far a patient may turn the voice down or up, in steps from the configured level."""


class Source(Protocol):
    """What the flow reads: the kiosk cache (on the flow's thread) satisfies it."""

    def appointments_by_dob(self, dobs: list[str]) -> list[Appointment]: ...
    def appointment_by_code(self, code: str) -> Appointment | None: ...
    def appointments_for(self, provider_id: str) -> list[Appointment]: ...
    def status(self, provider_id: str) -> ProviderStatus | None: ...
    def provider(self, provider_id: str) -> Provider | None: ...


@dataclass(frozen=True)
class FlowSettings:
    idle_timeout_s: float = 30.0
    countdown_s: float = 20.0  # "are you still there?": 20 s to answer (WCAG 2.2.1)
    done_linger_s: float = 12.0
    stale_after_s: float = 900.0
    window: ArrivalWindow = field(default_factory=ArrivalWindow)
    language: str = "en"  # the screen's language for each new patient


@dataclass(frozen=True)
class Patient:
    """The most a screen may show of a patient."""

    first_name: str
    last_initial: str
    time: str  # HH:MM
    provider_name: str


@dataclass(frozen=True)
class FlowView:
    screen: Screen = Screen.ATTRACT
    method: str = ""
    digits: str = ""
    letters: str = ""
    code: str = ""
    patient: Patient | None = None
    outcome: Outcome | None = None
    alternative_name: str = ""
    message: str = ""  # not_found, too_early, too_late, already_checked_in, ambiguous, declined, error, ...
    opens_at: str = ""  # HH:MM, for too_early
    choice: str = ""  # what the patient chose on the outcome screen
    queued: bool = False  # the check-in is in the outbox
    ticket: str = ""  # "", "printing", "printed", "failed"
    stale: bool = False
    age_min: int = 0
    countdown: int = 0  # seconds left before the idle reset, 0 when not counting
    staff_called: bool = False
    language: str = "en"
    large_text: bool = False
    volume: int = 0  # the patient's steps softer (<0) or louder (>0); the idle reset forgets them
    caption: str = ""  # what the kiosk last said aloud, shown on screen (first name at most)
