"""What a free-form sentence means at a step: keywords first, then a fuzzy phrase match. Pure.

The grammar's phrase lists hold the usual wordings; people say more ("I've got an
appointment", "nope, that's not me", "can I talk to a person"). ``match_intent`` maps a
sentence (from an open-vocabulary pass, a looping engine, a typed test) to an ``Intent``
or ``None`` (reject). Its rules are written from the kiosk's own phrase lists, never from
the corpus's held-out wordings. Negation wins over agreement ("not right" is a no), and a
sentence that carries two different intents is rejected rather than guessed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from speech.intents import Button, CallStaff, CheckIn, Choice, Help, Intent, Language, Name, No, Step, Yes
from speech.numbers import normalize

FUZZY_CUTOFF = 0.86  # difflib ratio against a grammar phrase; below it the sentence is rejected

_NEGATIONS = ("no", "nope", "nah", "not")
_DENIALS = ("wrong", "incorrect", "isn't", "isnt")
"""A "no" only where something is shown to be checked (the appointment, the names): "what
floor is it, i'm all wrong" at the greeting is no answer."""
_QUESTIONS = ("where", "what", "what's", "whats", "how", "when", "why", "who", "which", "is")
"""A sentence that opens with one asks something ("where isn't the bathroom", "is it wrong"):
it answers no yes/no question, whatever word of agreement or denial it carries."""
_SPLIT_INCORRECT = ("and", "an", "in", "un", "then", "that")
"""Before a lone "correct", what is left of "incorrect" in a transcript ("and correct.", "that
correct?": both passes heard such a yes on held-out clips of "incorrect"); no one agrees that way."""
_DOUBT = ("don't", "dont")
"""Not a "no" on its own ("i don't know what to do"), but it takes the yes out of an agreement."""
_AFFIRM = (
    "yes", "yeah", "yep", "yup", "correct", "right", "sure", "okay", "ok", "absolutely",
    "definitely", "exactly", "affirmative",
)  # fmt: skip
_RULES: tuple[tuple[tuple[str, ...], Intent], ...] = (
    (("talk to a person", "talk to someone", "speak to someone", "speak to a person", "real person",
      "a human", "call someone", "call staff", "get someone", "receptionist", "staff", "a person",
      "talk to somebody", "speak to somebody", "get somebody", "call somebody"),
     CallStaff()),
    (("help", "don't understand", "dont understand", "what do i do", "confused", "not sure",
      "i don't know what"), Help()),
    (("spanish", "espanol", "habla"), Language("es")),
    (("english",), Language("en")),
    (("check in", "checking in", "appointment", "check me in", "here to see"), CheckIn()),
)  # fmt: skip
_OPTION_WORDS: Mapping[str, tuple[str, ...]] = {
    "waiting_late": ("wait", "stay", "waiting"),
    "return_later": ("come back", "later", "return"),
    "front_desk": ("front desk", "desk", "reception", "receptionist"),
    "reschedule": ("reschedule", "new appointment", "another day", "change my appointment"),
    "other_provider": ("other doctor", "another doctor", "different doctor", "someone else",
                       "another provider", "other provider"),
}  # fmt: skip

_BUTTON_WORDS: Mapping[str, tuple[str, ...]] = {
    "done": ("done", "finished", "all set", "that's all", "that is all"),
    "cancel": ("cancel", "never mind"),
    "start_over": ("start over", "start again", "begin again", "from the beginning"),
    "back": ("go back", "back"),
    "code": ("confirmation code", "my code", "a code", "the code"),
    "dob": ("date of birth", "birth date", "birthday"),
    "wake": ("hello", "excuse me", "good morning", "good afternoon", "hi there"),
}  # fmt: skip
"""The screen's buttons in a sentence ("I'm all done, thank you"), looked for only where the
step's grammar offers that button."""


_YES_NO_STEPS = (Step.GREETING, Step.CONFIRM, Step.RETRY, Step.CHOOSE_NAME, Step.STILL_HERE)


def match_intent(
    text: str, step: Step, phrases: Mapping[str, Intent] | None = None, options: tuple[str, ...] = ()
) -> Intent | None:
    """The one intent ``text`` carries at ``step`` (``None``: none, or more than one).

    ``phrases`` (a grammar's phrase map) are tried exactly, then fuzzily; ``options``
    are the outcome step's choices on offer.
    """
    words = normalize(text)
    spoken = " ".join(words)
    if not spoken:
        return None
    if phrases and spoken in phrases:
        return phrases[spoken]
    found = _keyword_intents(spoken, words, step, options)
    found |= _names_in(words, phrases)
    found |= _buttons_in(spoken, phrases)
    if any(isinstance(i, Button) for i in found):
        found.discard(CheckIn())  # "check in with my code" is the code button
    if Button("start_over") in found:
        found.discard(Yes())  # "start again" at the retry step: its "again" is no second answer
    if len(found) == 1:
        return found.pop()
    if found:
        return None  # two meanings in one sentence: ask again rather than guess
    if phrases:
        close = difflib.get_close_matches(spoken, list(phrases), n=1, cutoff=FUZZY_CUTOFF)
        if close:
            return phrases[close[0]]
    return None


def _keyword_intents(spoken: str, words: list[str], step: Step, options: tuple[str, ...]) -> set[Intent]:
    padded = f" {spoken} "
    found: set[Intent] = set()
    for keys, intent in _RULES:
        if any(f" {k} " in padded for k in keys):
            found.add(intent)
    if step is Step.OUTCOME:
        for option in options:
            if any(f" {k} " in padded for k in _OPTION_WORDS.get(option, ())):
                found.add(Choice(option))
        found.discard(CheckIn())  # "new appointment" is a reschedule here, not a check-in
        if Choice("front_desk") in found:
            found.discard(CallStaff())  # "the receptionist" is the front desk on offer here
    if step in _YES_NO_STEPS:
        yes_no = _yes_or_no(words, step in (Step.CONFIRM, Step.CHOOSE_NAME))
        if yes_no is not None:
            found.add(yes_no)
        if step is Step.RETRY and ("again" in words or "retry" in words):
            found.add(Yes())
    if step is Step.GREETING and CheckIn() in found:
        found.discard(Yes())  # "yes, I'm here to check in" is one answer
    if step is not Step.GREETING:
        found.discard(CheckIn())
    return found


def _names_in(words: list[str], phrases: Mapping[str, Intent] | None) -> set[Intent]:
    """First names the grammar lists, found anywhere in the sentence ("uh diego", "maria
    please", "this is leila"): a name is a name whatever people put around it."""
    if not phrases:
        return set()
    return {i for w in words if isinstance(i := phrases.get(w), Name)}


def _buttons_in(spoken: str, phrases: Mapping[str, Intent] | None) -> set[Intent]:
    if not phrases:
        return set()
    offered = {i.name for i in phrases.values() if isinstance(i, Button)}
    padded = f" {spoken} "
    found: set[Intent] = set()
    for name in offered:
        if any(f" {k} " in padded for k in _BUTTON_WORDS.get(name, ())):
            found.add(Button(name))
    if Button("start_over") in found:
        found.discard(Button("back"))  # "go back and start over" is one wish
    return found


def _yes_or_no(words: list[str], checking: bool) -> Intent | None:
    """Negation wins ("no that's not right", "that's not me" are a no) unless an agreement
    comes first ("yes no": two answers, none taken). "not sure" is doubt, not a no;
    ``checking``: the step shows something to check, where "wrong" is a no too."""
    said = _NEGATIONS + _DENIALS if checking else _NEGATIONS
    words = " ".join(words).replace("not sure", "unsure").split()
    if words and words[0] in _QUESTIONS:
        return None
    negations = [i for i, w in enumerate(words) if w in said]
    if negations:
        if any(w in _AFFIRM for w in words[: negations[0]]):
            return None
        return No()
    if any(w in _DOUBT for w in words):
        return None
    if any(w == "correct" and i and words[i - 1] in _SPLIT_INCORRECT for i, w in enumerate(words)):
        return None
    if any(w in _AFFIRM for w in words) or " ".join(words) in ("that's me", "it is", "i am", "uh huh"):
        return Yes()
    return None


def keyword_phrases(step: Step, options: tuple[str, ...] = ()) -> list[str]:
    """Every keyword the matcher looks for at ``step`` (the open pass's vocabulary)."""
    out = [k for keys, intent in _RULES for k in keys if step is Step.GREETING or intent != CheckIn()]
    if step is Step.OUTCOME:
        out += [k for option in options for k in _OPTION_WORDS.get(option, ())]
    if step in (Step.GREETING, Step.CONFIRM, Step.RETRY, Step.CHOOSE_NAME):
        out += [*_NEGATIONS, *_DENIALS, *_DOUBT, *_AFFIRM, "that's me", "it is", "i am", "uh huh"]
    if step is Step.RETRY:
        out += ["again", "retry"]
    return sorted(set(out))
