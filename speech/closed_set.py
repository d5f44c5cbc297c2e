"""Whisper's own second opinion over the step's closed set: does its transcript beat every other answer?

Agreement with the grammar pass (pocketsphinx) keeps wrong actions rare, but pocketsphinx hears
synthesized and phone-band voices right a third of the time, so most answers of consequence were
asked again though Whisper had them right. This check asks Whisper itself, by forced decoding
(``ctranslate2`` ``Whisper.align``: each token's probability given the audio and the tokens before
it), how likely its transcript is against the closest written form of every *other* answer the
step offers: the step's phrases of each other intent (the one most like the transcript), and at
the date step the dates a slip would give (the day ten or twenty off, "9th"/"19th"; the booked
date the grammar pass heard). The transcript's answer is confirmed only when it wins by
``MARGIN`` nats: "Right, person." against "Wrong person." is too close to call.

Pure apart from ``score``, which the recognizer supplies (``WhisperRecognizer.score_texts``);
``closed_margin`` is what the listener asks.
"""

from __future__ import annotations

import calendar
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from speech.agreement import closed_set_asked, whisper_meaning
from speech.grammar import StepGrammar
from speech.intents import DateOfBirth, Intent, Language, Name, No, Yes
from speech.numbers import normalize
from speech.recognizer import Hypothesis

MARGIN = 3.0
"""Nats the transcript must beat the best other answer by (tuned on the tune split)."""
MAX_RIVALS = 8
"""Other answers scored at most (each costs one forced decode, ~15 ms of CPU on the dev box)."""
KIN_FORMS = 2
"""Written forms scored for each answer of the same kind ("No." and "That's wrong." against a yes)."""
_AFFIRM = ("yes", "yeah", "yep", "yup", "right", "correct", "sure", "okay", "ok", "exactly")
"""Words of agreement a "yes" is swapped from (``speech.matcher``'s, the ones Whisper writes)."""
_UNDO = {"correct": "incorrect", "right": "wrong", "yes": "wrong"}
"""The denial a word of agreement is one slip from ("incorrect" heard as "and correct")."""
_PROPER = {"english": "English", "spanish": "Spanish", "espanol": "Espanol"}


@dataclass(frozen=True)
class ClosedSetVerdict:
    """The transcript's log-probability and the best rival answer's."""

    transcript: float
    rival: float
    rival_text: str

    @property
    def margin(self) -> float:
        return self.transcript - self.rival

    def confirms(self, margin: float = MARGIN) -> bool:
        return self.margin >= margin


def written(phrase: str, intent: Intent | None = None) -> str:
    """A grammar phrase as Whisper writes one ("that's me" -> "That's me."; "i'm liam" ->
    "I'm Liam.")."""
    proper = dict(_PROPER)
    if isinstance(intent, Name):
        proper[intent.first_name.lower()] = intent.first_name
    phrase = " ".join(proper.get(w, w) for w in phrase.split())
    return phrase[:1].upper() + phrase[1:] + "."


def written_date(value: date) -> str:
    return f"{calendar.month_name[value.month]} {value.day}, {value.year}."


def date_slips(value: date) -> list[date]:
    """Dates one slip away: the day ten or twenty off (third/thirteenth/thirtieth)."""
    out = []
    for delta in (-20, -10, 10, 20):
        if 1 <= value.day + delta <= calendar.monthrange(value.year, value.month)[1]:
            out.append(value.replace(day=value.day + delta))
    return out


def rivals(grammar: StepGrammar, transcript: str, meaning: Intent, guess: Intent | None = None) -> list[str]:
    """The closest written form of each other answer the step offers, at most ``MAX_RIVALS``:
    first the answers of the same kind (the other first names, a "no" against a "yes", the other
    language, the other outcomes) and the grammar pass's ``guess`` (at the date step, the booked
    date its prior pulled the audio to, and the dates one slip away), then the rest."""
    heard = " ".join(normalize(transcript))
    by_intent: dict[Intent, list[tuple[float, str]]] = {}
    for phrase, intent in grammar.phrases.items():
        if intent != meaning and not isinstance(intent, DateOfBirth):
            ratio = difflib.SequenceMatcher(None, heard, phrase).ratio()
            by_intent.setdefault(intent, []).append((ratio, written(phrase, intent)))
    near: list[str] = []
    rest: list[tuple[float, str]] = []
    for intent, forms in by_intent.items():
        forms.sort(reverse=True)
        if _kin(intent, meaning) or intent == guess:
            near += [text for _, text in forms[:KIN_FORMS]]
        else:
            rest.append(forms[0])
    ranked = [
        *swapped(grammar, transcript, meaning),
        *near,
        *(text for _, text in sorted(rest, reverse=True)),
    ]
    if isinstance(meaning, DateOfBirth):
        dates = date_slips(meaning.value)
        if isinstance(guess, DateOfBirth) and guess != meaning:
            dates.insert(0, guess.value)
        ranked = [written_date(d) for d in dict.fromkeys(dates)] + ranked
    return ranked[:MAX_RIVALS]


def swapped(grammar: StepGrammar, transcript: str, meaning: Intent) -> list[str]:
    """The transcript with its answer word turned into a rival's, the rest kept as Whisper wrote
    it: "Right, person." -> "Wrong, person.", "Not right, person."; "Maria, please." ->
    "Liam, please."; "Do it in English." -> "Do it in Spanish.". A rival in another wording
    scores lower for the wording alone, not for what was heard."""
    words = transcript.strip().split()
    bare = [w.strip(".,?!").lower() for w in words]
    swaps: dict[str, tuple[str, ...]]
    if isinstance(meaning, Yes):
        swaps = {w: (_UNDO.get(w, "wrong"), "not " + w, "no") for w in _AFFIRM}
    elif isinstance(meaning, Name):
        others = sorted(
            {i.first_name for i in grammar.phrases.values() if isinstance(i, Name)} - {meaning.first_name}
        )
        swaps = {meaning.first_name.lower(): tuple(others)}
    elif isinstance(meaning, Language):
        swaps = {"english": ("Spanish",), "spanish": ("English",)}
    else:
        return []
    for at, word in enumerate(bare):
        if word in swaps:
            out = []
            for new in swaps[word]:
                head = new[:1].upper() + new[1:] if at == 0 or words[at][:1].isupper() else new
                tail = words[at][len(word) :]
                out.append(" ".join([*words[:at], head + tail, *words[at + 1 :]]))
            return out
    return []


def _kin(intent: Intent, meaning: Intent) -> bool:
    """Answers of the same kind, the ones a slip of the ear turns into each other."""
    if isinstance(meaning, Yes | No):
        return isinstance(intent, Yes | No)
    return type(intent) is type(meaning)


def judge(
    grammar: StepGrammar,
    transcript: str,
    meaning: Intent,
    score: Callable[[Sequence[str]], Sequence[float]],
    guess: Intent | None = None,
) -> ClosedSetVerdict | None:
    """Whisper's transcript against the step's other answers (``None``: nothing to compare)."""
    others = rivals(grammar, transcript, meaning, guess)
    if not others or not transcript.strip():
        return None
    scores = score([transcript.strip(), *others])
    best = max(range(1, len(scores)), key=lambda i: scores[i])
    return ClosedSetVerdict(float(scores[0]), float(scores[best]), others[best - 1])


def closed_margin(
    grammar: StepGrammar,
    guess: Intent | None,
    heard: Hypothesis | None,
    today: date,
    score: Callable[[Sequence[str]], Sequence[float]] | None,
) -> float | None:
    """Whisper's margin over the step's other answers where the agreement rules want it
    (``speech.agreement.closed_set_asked``: it decides, or it may veto); ``None``: not asked."""
    if heard is None or score is None:
        return None
    meaning = whisper_meaning(grammar, heard.text, today)
    if meaning is None or not closed_set_asked(grammar, guess, meaning):
        return None
    verdict = judge(grammar, heard.text, meaning, score, guess)
    return verdict.margin if verdict is not None else None
