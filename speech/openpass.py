"""The open pass: what a step's language model is built from, and how its sentence is judged. Pure.

When the flat grammar is unsure (or finds no phrase), the recognizer decodes the same
utterance again with a small bigram model (``speech.ngram``) over the step's own
sentences: the grammar's phrases, the intent matcher's keywords and a few carrier words,
so people's paraphrases ("can i talk to a person", "i have an appointment") can come out
as words; ``speech.matcher.match_intent`` then says what they mean, or rejects them.
Everything here is written from the kiosk's own phrase lists, never from the corpus's
held-out wordings. Dates are left to the grammar, and a small set of first names too.
"""

from __future__ import annotations

from dataclasses import dataclass

from speech.confidence import ACT, Bars, Evidence, Thresholds, decide
from speech.grammar import StepGrammar, grammar_options
from speech.intents import Intent, Name, Step
from speech.matcher import keyword_phrases, match_intent

OPEN_STEPS = frozenset({Step.GREETING, Step.CONFIRM, Step.OUTCOME, Step.RETRY, Step.CHOOSE_NAME})
"""Steps with an open pass (not the date step: dates are the grammar's)."""
SMALL_NAME_SET = 4
"""At the first-name step the kiosk lists only the patients sharing the spoken birth date:
with this many names or fewer the grammar decides (its bars), since the bigram model's
carrier words swallow names ("kevin" came out as "we"); an open pass that means something
else vetoes it. The corpus's name clips offer three names, as the kiosk does."""
SMALL_NAME_OPEN_BAR = -9.0
"""At a first-name step the grammar decides, but only if the open pass heard a sentence of the
step at all (its confidence at least this; tune split: 6 wrong names → 2, 162 right → 146)."""
CARRIERS = (
    "i", "i'm", "i'd", "i'll", "i want", "i need", "i'd like", "can i", "could i", "can you",
    "can we", "please", "thanks", "thank you", "okay", "um", "uh", "so", "just", "the", "a",
    "to", "my", "me", "is", "it", "it's", "that", "that's", "this", "here", "there", "for",
    "and", "what", "where", "how", "do", "you", "we", "have", "go", "get", "see", "with",
)  # fmt: skip
"""Words people put around an answer: the model may spend them on a sentence's other words."""


def step_sentences(grammar: StepGrammar, options: tuple[str, ...] = ()) -> list[str]:
    """The sentences the step's language model is estimated from (empty: no open pass here)."""
    if not _open_step(grammar):
        return []
    out = sorted(grammar.phrases)
    out += keyword_phrases(grammar.step, options)
    out += list(CARRIERS)
    return sorted(set(out))


def open_decision(
    grammar: StepGrammar, text: str, evidence: Evidence, bars: Thresholds, options: tuple[str, ...] = ()
) -> Intent | None:
    """The intent an open-pass sentence carries when it clears ``bars``, else ``None``.

    The matcher must find exactly one meaning, and the confidence (the open pass's path
    against the phone loop, per frame) must clear the bar for that intent (answers of
    consequence: ``bars.consequential``).
    """
    intent = match_intent(text, grammar.step, grammar.phrases, options)
    if intent is None or evidence.confidence is None:
        return None
    return intent if decide(grammar.step, intent, Evidence(evidence.confidence), bars) == ACT else None


@dataclass(frozen=True)
class TwoPass:
    """How the two passes' opinions are weighed (tuned on the corpus's tune split)."""

    agree: Thresholds | None = None
    """Looser grammar bars that suffice when the open pass means the same (``None``: none)."""
    overrule: float | None = None
    """Where the grammar's guess fails its bars and the open pass means something else that
    clears the open bars, the open pass wins when its confidence is at least this much above
    the grammar's (``None``: never; the grammar's doubt then vetoes)."""


TWO_PASS = TwoPass(
    agree=Thresholds(Bars(-15.0, 0.3, 0.0), Bars(-8.0, 0.3, 0.5), Bars(5.0, 0.1, 1.0)), overrule=0.0
)
"""Tuned on the tune split (docs/speech.md): agreement relieves the grammar's bars, and an open
pass that clears its bars and fits better than a doubtful grammar guess is acted on."""


def combine(
    grammar: StepGrammar,
    guess: Intent | None,
    *,
    decision: str,
    open_text: str,
    open_evidence: Evidence,
    bars: Thresholds,
    open_pass: bool = True,
    evidence: Evidence | None = None,
    rules: TwoPass = TWO_PASS,
) -> tuple[Intent | None, str]:
    """What to act on, and which pass it came from ("grammar", "open"; "" for a re-prompt).

    The two passes are two opinions. At a step with an open pass, the grammar's guess is
    acted on only when it clears its bars (``rules.agree``'s, looser, will do) AND the open
    pass's sentence means the same: a flat grammar fits its nearest phrase to anything ("i
    don't understand" came out as "i want to check in"), and on the tune split no confidence
    bar alone kept wrong actions under 2 %. Where the grammar found nothing, or its guess
    failed its bars and the open pass overrules it (``rules.overrule``), the open pass's
    meaning is acted on if it clears ``bars``; otherwise, where the two disagree, nothing is.
    ``evidence`` is the grammar guess's. A recognizer with no open pass (``open_pass=False``:
    vosk) is judged by its grammar pass alone.
    """
    options = grammar_options(grammar)
    by_grammar = (guess, "grammar") if guess is not None and decision == ACT else (None, "")
    if not open_pass or not _open_step(grammar):
        return by_grammar
    meaning = match_intent(open_text, grammar.step, grammar.phrases, options) if open_text else None
    if _short_name_list(grammar):  # the grammar decides, a contrary open pass vetoes
        if meaning is not None and meaning != guess:
            return None, ""
        if open_text and (open_evidence.confidence or -1e9) < SMALL_NAME_OPEN_BAR:
            return None, ""  # what was said fits no sentence of the step ("where are the elevators")
        return by_grammar
    if guess is not None:
        if meaning == guess and (decision == ACT or _clears(grammar, guess, evidence, rules.agree)):
            return guess, "grammar"
        if meaning != guess and (decision == ACT or not _overrules(evidence, open_evidence, rules)):
            return None, ""
    found = open_decision(grammar, open_text, open_evidence, bars, options) if open_text else None
    return (found, "open") if found is not None else (None, "")


def _clears(grammar: StepGrammar, guess: Intent, evidence: Evidence | None, bars: Thresholds | None) -> bool:
    return bars is not None and evidence is not None and decide(grammar.step, guess, evidence, bars) == ACT


def _overrules(grammar_evidence: Evidence | None, open_evidence: Evidence, rules: TwoPass) -> bool:
    if rules.overrule is None or open_evidence.confidence is None:
        return False
    mine = grammar_evidence.confidence if grammar_evidence is not None else None
    return mine is None or open_evidence.confidence - mine >= rules.overrule


def _open_step(grammar: StepGrammar) -> bool:
    return grammar.step in OPEN_STEPS and grammar.lang == "en"


def _short_name_list(grammar: StepGrammar) -> bool:
    if grammar.step is not Step.CHOOSE_NAME:
        return False
    return len({i for i in grammar.phrases.values() if isinstance(i, Name)}) <= SMALL_NAME_SET
