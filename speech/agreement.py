"""Agreement before action: the grammar pass and Whisper weighed together. Pure.

With the Whisper engine two opinions hear every utterance: the step's **grammar** (pocketsphinx,
streamed; its guess is the nearest phrase of the step's closed set) and **Whisper** (an open
transcript, mapped to an intent by ``speech.matcher.match_intent``, or by
``speech.dates.parse_spoken_date`` at the date step, with Whisper's own measures: average token
log-probability, no-speech probability, compression ratio).

- Both mean the same, and Whisper is not lost (``Agreement.agree``'s looser bars): act.
- An answer that changes nothing (``changes_something`` is false: "check in", "help", a "yes"
  at the greeting, a "no" anywhere, an outcome other than another provider) may come from Whisper alone when
  Whisper is sure by its own measures (``Agreement.sure``), whatever the grammar guessed.
- At the idle warning (``GRAMMAR_DECIDES``: every answer there only keeps the patient's
  place) the grammar pass alone may act when it clears its own bars and Whisper heard
  nothing else.
- An answer of consequence (confirming an identity with a "yes", a first name, a birth date, a
  language switch, another provider) is never taken from one pass that disagrees with the other.
  The step's closed set is the other pass where the grammar pass heard something else: Whisper's
  transcript must beat every other answer the step offers by ``Agreement.closed_margin`` nats of
  its own forced-decoding log-probability (``speech.closed_set``; "closed_set"). Not for birth
  dates: there Whisper's slips are confident (a year, a day ten off), and only the grammar
  pass's very same date lets one through. Not for a "yes" to an identity either: that needs
  both passes, and the closed set may still veto it ("incorrect" heard as "correct" by both).

A spoken birth date is whatever date was said: Whisper's words are parsed to a date and the
grammar pass must have heard the very same date. A near miss is no agreement: the dialog asks
again; it never snaps to a neighbour. Thresholds were picked on the corpus's tune split
(docs/speech.md), where a grammar guess acted on alone was wrong too often at any bar (so
Whisper always runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from speech.confidence import ACT
from speech.dates import parse_spoken_date
from speech.grammar import StepGrammar, grammar_options
from speech.intents import Choice, DateOfBirth, Intent, Language, Name, Step, Yes
from speech.matcher import match_intent
from speech.matcher_es import spanish_meaning
from speech.recognizer import Hypothesis


@dataclass(frozen=True)
class WhisperBars:
    """When Whisper's transcript is sure by its own measures."""

    min_avg_logprob: float = -0.8
    """Average log-probability of its tokens (0 is certain)."""
    max_no_speech: float = 0.5
    """Its probability that the window held no speech."""
    max_compression: float = 2.4
    """Transcript bytes over zlib bytes: a repetition loop compresses well."""

    def sure(self, heard: Hypothesis) -> bool:
        if heard.avg_logprob is None or heard.no_speech_prob is None:
            return False
        ratio = heard.compression_ratio or 0.0
        return (
            heard.avg_logprob >= self.min_avg_logprob
            and heard.no_speech_prob <= self.max_no_speech
            and ratio <= self.max_compression
        )


@dataclass(frozen=True)
class Agreement:
    """How the two opinions are weighed (tuned on the tune split)."""

    sure: WhisperBars = field(default_factory=WhisperBars)
    """Whisper alone, for an answer that changes nothing."""
    agree: WhisperBars = field(default_factory=lambda: WhisperBars(-1.5, 0.8, 100.0))
    """Whisper beside a grammar guess that means the same (a loop is no doubt here: short answers
    padded with silence loop, "Yes. Yes. Yes.")."""
    closed_set_alone: float = 1.5
    """Spanish (``speech.whisper_es``): the closed set's best phrase may be acted on alone, for
    an answer that changes nothing and a transcript that means nothing else, when it leads the
    best phrase of another meaning by this much average log-probability per token (tune split:
    out-of-domain sentences led by at most 0.91, 74 of 100 tune answers by 1.5 or more)."""
    closed_margin: float = 3.0
    """Nats Whisper's transcript must beat the step's best other answer by (``speech.closed_set``)
    for the closed set to stand in for a grammar pass that heard otherwise (not for dates)."""


AGREEMENT = Agreement()
GRAMMAR_DECIDES = frozenset({Step.STILL_HERE})
"""Steps where the grammar pass alone may act: nothing said there changes anything
irreversible ("yes, I'm still here" only stops the idle countdown)."""


def changes_something(step: Step, intent: Intent) -> bool:
    """Answers of consequence: an identity (a "yes" at the confirm step, a first name, a birth
    date), a language switch, seeing another provider. A "no" commits nothing: the kiosk asks
    again (tune split: +0.01 to +0.03 clean accuracy, no wrong action added)."""
    if isinstance(intent, DateOfBirth | Name | Language):
        return True
    if step in (Step.CONFIRM, Step.CHOOSE_NAME) and isinstance(intent, Yes):
        return True
    return isinstance(intent, Choice) and intent.option == "other_provider"


def whisper_meaning(grammar: StepGrammar, text: str, today: date) -> Intent | None:
    """What Whisper's transcript means at the step: a parsed birth date at the date step
    (exactly the date said), else the matcher's one intent (``None``: none, or two); a Spanish
    step's transcript is read by ``speech.matcher_es``."""
    if grammar.lang == "es":
        return spanish_meaning(grammar, text, today)
    if grammar.dates:
        spoken = parse_spoken_date(text, today, grammar.lang)
        if spoken is not None:
            return DateOfBirth(spoken)
    return match_intent(text, grammar.step, grammar.phrases, grammar_options(grammar))


def weigh(
    grammar: StepGrammar,
    guess: Intent | None,
    heard: Hypothesis | None,
    today: date,
    rules: Agreement = AGREEMENT,
    *,
    grammar_decision: str = "",
    closed_set_lead: float | None = None,
    closed_margin: float | None = None,
) -> tuple[Intent | None, str]:
    """What to act on and why ("both": the passes agree; "whisper": Whisper alone on an answer
    that changes nothing; "grammar": the grammar alone, where ``GRAMMAR_DECIDES``, its
    ``grammar_decision`` "act"; "closed set": Spanish's closed set alone, on an answer that
    changes nothing, ``closed_set_lead`` at least ``rules.closed_set_alone``; "closed_set":
    Whisper's English answer of consequence beat the step's other answers by
    ``closed_margin`` nats); ``(None, "")``: ask again."""
    meaning = whisper_meaning(grammar, heard.text, today) if heard is not None else None
    alone = grammar.step in GRAMMAR_DECIDES and grammar_decision == ACT and meaning in (None, guess)
    if alone and guess is not None and not changes_something(grammar.step, guess):
        return guess, "grammar"
    lead_bar = rules.closed_set_alone
    if (
        grammar.lang == "es" and guess is not None and closed_set_lead is not None
        and closed_set_lead >= lead_bar and meaning in (None, guess)
        and not changes_something(grammar.step, guess)
    ):  # fmt: skip
        return guess, "closed set"
    if meaning is None or heard is None:
        return None, ""
    closed = closed_margin is not None and closed_margin >= rules.closed_margin
    if meaning == guess and rules.agree.sure(heard):
        if confirms_identity(grammar.step, meaning) and closed_margin is not None and not closed:
            return None, ""  # "incorrect" heard as "and correct" by both: its rival came too close
        return meaning, "both"
    if not changes_something(grammar.step, meaning) and rules.sure.sure(heard):
        return meaning, "whisper"
    if closed and closed_set_decides(grammar, guess, meaning) and rules.sure.sure(heard):
        return meaning, "closed_set"
    return None, ""


def confirms_identity(step: Step, intent: Intent | None) -> bool:
    """A "yes" that confirms who the patient is: it needs both passes *and* the closed set."""
    return step in (Step.CONFIRM, Step.CHOOSE_NAME) and isinstance(intent, Yes)


def closed_set_decides(grammar: StepGrammar, guess: Intent | None, meaning: Intent | None) -> bool:
    """Whether the step's closed set may stand in for the grammar pass: Whisper means an answer
    of consequence the grammar did not hear, neither a birth date nor a "yes" to an identity."""
    if meaning is None or meaning == guess or isinstance(meaning, DateOfBirth):
        return False
    return changes_something(grammar.step, meaning) and not confirms_identity(grammar.step, meaning)


def closed_set_asked(grammar: StepGrammar, guess: Intent | None, meaning: Intent | None) -> bool:
    """Whether Whisper's margin over the closed set is wanted (it decides, or it may veto)."""
    return closed_set_decides(grammar, guess, meaning) or confirms_identity(grammar.step, meaning)
