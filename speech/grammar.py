"""Per-step grammars built from today's schedule, and text -> intent.

``build_grammar(step, names, providers, lang)`` returns a ``StepGrammar``: the flat list
of phrases the step accepts (each mapped to an intent), plus, for the date-of-birth step,
date patterns. Engines render it: ``word_graph()`` (an epsilon-free FSG) for
pocketsphinx, ``vosk_phrases()`` for vosk. ``parse(text, today)`` maps what was heard to an ``Intent``
(or ``None``: a miss, and the dialog re-prompts). Pure: no audio, no engine, no clock.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from speech.dates import EN_MONTHS, ES_MONTHS, date_patterns, dob_patterns, parse_spoken_date
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
from speech.numbers import EN_ONES, EN_ORDINALS, EN_TENS, ES_VALUES, normalize
from speech.wordgraph import Pattern, WordGraph, build_word_graph

LANGUAGES = ("en", "es")
ANY_DATE_WEIGHT = 1e-20  # prior of "any date" against one booked today; measured knee (docs/speech.md)

_COMMON: dict[str, dict[str, Intent]] = {
    "en": {
        "call staff": CallStaff(), "staff": CallStaff(), "call someone": CallStaff(),
        "talk to a person": CallStaff(), "receptionist": CallStaff(),
        "help": Help(), "help me": Help(),
        "repeat": Repeat(), "repeat that": Repeat(), "please repeat": Repeat(), "say that again": Repeat(),
        "louder": Volume(1), "speak louder": Volume(1), "louder please": Volume(1), "speak up": Volume(1),
        "softer": Volume(-1), "quieter": Volume(-1), "speak softer": Volume(-1), "softer please": Volume(-1),
        "spanish": Language("es"), "in spanish": Language("es"), "espanol": Language("es"),
        "english": Language("en"), "in english": Language("en"),
    },
    "es": {
        "llame al personal": CallStaff(), "personal": CallStaff(), "recepcionista": CallStaff(),
        "ayuda": Help(), "ayudame": Help(),
        "repita": Repeat(), "repitalo": Repeat(), "repita por favor": Repeat(),
        "mas alto": Volume(1), "hable mas alto": Volume(1), "mas bajo": Volume(-1),
        "hable mas bajo": Volume(-1),
        "espanol": Language("es"), "en espanol": Language("es"),
        "ingles": Language("en"), "english": Language("en"), "en ingles": Language("en"),
    },
}  # fmt: skip
_YES_NO: dict[str, dict[str, Intent]] = {
    "en": {
        "yes": Yes(), "yeah": Yes(), "yes please": Yes(), "correct": Yes(), "that's right": Yes(),
        "sure": Yes(), "no": No(), "no thanks": No(), "that's wrong": No(),
        "not me": No(),
    },
    "es": {"si": Yes(), "si por favor": Yes(), "correcto": Yes(), "claro": Yes(), "no": No(),
           "no gracias": No(), "incorrecto": No()},
}  # fmt: skip
_CHECK_IN: dict[str, dict[str, Intent]] = {
    "en": {"check in": CheckIn(), "checking in": CheckIn(), "checking": CheckIn(),
           "i'm here to check in": CheckIn(), "i want to check in": CheckIn()},
    "es": {"registrarme": CheckIn(), "quiero registrarme": CheckIn(), "tengo una cita": CheckIn()},
}  # fmt: skip
_NAME_FRAMES = {"en": ("{}", "i'm {}", "my name is {}", "it's {}"), "es": ("{}", "soy {}", "me llamo {}")}
_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "waiting_late": ("wait", "i'll wait", "i will wait", "i'll stay", "stay"),
        "return_later": ("come back", "come back later", "i'll come back", "leave and come back"),
        "front_desk": ("front desk", "the front desk", "go to the front desk"),
        "reschedule": ("reschedule", "a new appointment", "make a new appointment"),
        "other_provider": ("other doctor", "another doctor", "the other doctor"),
    },
    "es": {
        "waiting_late": ("espero", "voy a esperar", "esperar"),
        "return_later": ("vuelvo", "vuelvo mas tarde", "regreso despues"),
        "front_desk": ("recepcion", "ir a recepcion"),
        "reschedule": ("otra cita", "cambiar la cita"),
        "other_provider": ("otro doctor", "otra doctora", "otro medico"),
    },
}  # fmt: skip
_SEE_FRAMES = {"en": ("{}", "doctor {}", "see {}", "see doctor {}"), "es": ("{}", "doctor {}", "doctora {}")}
_STILL_HERE: dict[str, dict[str, Intent]] = {
    "en": {"yes": Yes(), "yeah": Yes(), "yes please": Yes(), "still here": Yes(), "i'm still here": Yes(),
           "i'm here": Yes(), "yes i'm here": Yes(), "yes i'm still here": Yes(), "keep going": Yes()},
    "es": {"si": Yes(), "si por favor": Yes(), "sigo aqui": Yes(), "aqui estoy": Yes(),
           "estoy aqui": Yes(), "si aqui estoy": Yes(), "si sigo aqui": Yes(), "continuar": Yes()},
}  # fmt: skip
"""The idle warning's answers: all mean "keep my place", which changes nothing irreversible."""
_RETRY: dict[str, dict[str, Intent]] = {
    "en": {"try again": Yes(), "again": Yes()}, "es": {"otra vez": Yes(), "de nuevo": Yes()},
}  # fmt: skip
_STEP_ONLY: dict[Step, dict[str, dict[str, Intent]]] = {
    Step.RETRY: _RETRY, Step.GREETING: _CHECK_IN, Step.STILL_HERE: _STILL_HERE,
}  # fmt: skip
_BUTTONS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "done": ("done", "i'm done", "i am done", "all done", "finished", "i'm finished", "that's all"),
        "cancel": ("cancel", "cancel please", "never mind"),
        "start_over": ("start over", "start again", "begin again"),
        "back": ("back", "go back"),
        "code": ("code", "confirmation code", "with my code", "with my confirmation code"),
        "dob": ("date of birth", "with my date of birth", "use my date of birth", "birth date"),
        "wake": ("hello", "hello there", "hi there", "excuse me", "good morning", "good afternoon"),
    },
    "es": {
        "done": ("listo", "ya termine", "termine", "eso es todo"),
        "cancel": ("cancelar", "cancele"),
        "start_over": ("empezar de nuevo", "volver a empezar"),
        "back": ("atras", "volver", "regresar"),
        "code": ("codigo", "con mi codigo", "codigo de confirmacion", "con mi codigo de confirmacion"),
        "dob": ("fecha de nacimiento", "con mi fecha de nacimiento"),
        "wake": ("hola", "buenos dias", "buenas tardes", "disculpe", "oiga"),
    },
}  # fmt: skip
"""The screen's buttons said aloud (the words on them, and the usual ways of saying them);
a grammar holds only the buttons its screen shows ("wake": the attract screen's greetings,
``speech.attract``)."""
_TITLES = frozenset({"dr", "doctor", "doctora", "dra", "nurse", "np", "pa", "md"})


@dataclass(frozen=True)
class StepGrammar:
    """What one dialog step can hear: flat phrases -> intents, plus dates when asked for."""

    step: Step
    lang: str
    phrases: Mapping[str, Intent]
    dates: bool = False
    words: frozenset[str] = field(default=frozenset())
    date_patterns: tuple[Pattern, ...] = ()
    expected_patterns: tuple[Pattern, ...] = ()  # today's birth dates, favoured over any date
    any_date_weight: float = 1.0

    @property
    def key(self) -> str:
        """A stable name for caching compiled searches (changes when the phrases change)."""
        text = "|".join(sorted(self.phrases)) + ("|<dates>" if self.dates else "")
        text += f"|{self.any_date_weight}|" + repr(self.expected_patterns)
        digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]
        return f"{self.step.value}_{self.lang}_{digest}"

    def parse(self, text: str, today: date) -> Intent | None:
        """The intent of ``text`` (what the recognizer heard), or ``None`` for a miss."""
        spoken = " ".join(normalize(text))
        if not spoken:
            return None
        if spoken in self.phrases:
            return self.phrases[spoken]
        if self.dates:
            found = parse_spoken_date(spoken, today, self.lang)
            if found is not None:
                return DateOfBirth(found)
        tokens = spoken.split()  # an engine that loops phrases: the first whole phrase inside wins
        for size in range(len(tokens), 0, -1):
            for start in range(len(tokens) - size + 1):
                hit = self.phrases.get(" ".join(tokens[start : start + size]))
                if hit is not None:
                    return hit
        return None

    def patterns(self) -> list[Pattern]:
        """The grammar as word-graph patterns (see ``speech.wordgraph``)."""
        flat: list[Pattern] = [[[p.split()]] for p in sorted(self.phrases)]
        return flat + [list(p) for p in (*self.date_patterns, *self.expected_patterns)]

    def weights(self) -> list[float]:
        """One prior per pattern (see ``patterns``): any date weighs ``any_date_weight``."""
        return (
            [1.0] * len(self.phrases)
            + [self.any_date_weight] * len(self.date_patterns)
            + [1.0] * len(self.expected_patterns)
        )

    def word_graph(self) -> WordGraph:
        return build_word_graph(self.patterns(), self.weights())

    def vosk_phrases(self) -> list[str]:
        """The grammar as vosk's phrase list; dates as their words, which vosk may chain."""
        out = sorted(self.phrases)
        if self.dates:
            out += sorted(_date_words(self.lang) - set(out))
        return [*out, "[unk]"]


def build_grammar(
    step: Step,
    names: Iterable[str] = (),
    providers: Iterable[str] = (),
    lang: str = "en",
    today: date | None = None,
    *,
    dobs: Iterable[date] = (),
    options: Iterable[str] = (),
    buttons: Iterable[str] = (),
    any_date_weight: float = ANY_DATE_WEIGHT,
) -> StepGrammar:
    """The grammar for ``step``: ``names`` are first names, ``providers`` display names.

    ``today`` (needed for the date-of-birth step) bounds the birth years it accepts.
    ``options`` are the outcome step's choices (the flow's option names); for
    "other_provider" ``providers`` holds the alternative provider's display name.
    ``dobs`` are the birth dates on today's schedule: the date step still accepts any
    plausible date, but an acoustic near-tie goes to a date a patient booked today
    (``any_date_weight`` is the prior of the generic date paths against them).
    ``buttons`` are the screen's buttons that can be said (``Button`` names, ``button_names``).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"build_grammar: language {lang!r} is not one of {LANGUAGES}")
    phrases = _step_phrases(step, names, providers, lang, options)
    for button in buttons:
        said = _BUTTONS[lang].get(button)
        if said is None:
            raise ValueError(f"build_grammar: no button {button!r}; known: {button_names()}")
        phrases |= {p: Button(button) for p in said if p not in phrases}
    phrases |= _COMMON[lang]
    dates = step is Step.DATE_OF_BIRTH
    patterns: tuple[Pattern, ...] = ()
    if dates:
        if today is None:
            raise ValueError("build_grammar: the date-of-birth step needs today's date")
        patterns = tuple(date_patterns(lang, today))
        expected = tuple(dob_patterns((d for d in dobs if d <= today), lang))
    else:
        expected = ()
    words = {w for p in phrases for w in p.split()}
    words |= {w for pat in (*patterns, *expected) for seg in pat for alt in seg for w in alt}
    return StepGrammar(
        step=step,
        lang=lang,
        phrases=phrases,
        dates=dates,
        words=frozenset(words),
        date_patterns=patterns,
        expected_patterns=expected,
        any_date_weight=any_date_weight if expected else 1.0,
    )


def _step_phrases(
    step: Step, names: Iterable[str], providers: Iterable[str], lang: str, options: Iterable[str]
) -> dict[str, Intent]:
    phrases: dict[str, Intent] = {}
    if step in (Step.GREETING, Step.CONFIRM, Step.RETRY):
        phrases |= _YES_NO[lang]
    phrases |= _STEP_ONLY.get(step, {}).get(lang, {})
    if step is Step.CHOOSE_NAME:
        for name in names:
            spoken = " ".join(normalize(name))
            if spoken:
                phrases |= {frame.format(spoken): Name(name) for frame in _NAME_FRAMES[lang]}
        phrases |= {k: v for k, v in _YES_NO[lang].items() if isinstance(v, No)}
    if step is Step.OUTCOME:
        for option in options:
            phrases |= {text: Choice(option) for text in _OPTIONS[lang].get(option, ())}
            if option == "other_provider":
                for provider in providers:
                    for spoken in _provider_forms(provider):
                        phrases |= {f.format(spoken): Choice(option) for f in _SEE_FRAMES[lang]}
    return phrases


def button_names() -> tuple[str, ...]:
    """Every screen button the grammars can hear."""
    return tuple(_BUTTONS["en"])


def grammar_buttons(grammar: StepGrammar) -> tuple[str, ...]:
    """The buttons ``grammar`` hears."""
    return tuple(sorted({i.name for i in grammar.phrases.values() if isinstance(i, Button)}))


def grammar_options(grammar: StepGrammar) -> tuple[str, ...]:
    """The outcome choices ``grammar`` offers (the flow's option names)."""
    return tuple(sorted({i.option for i in grammar.phrases.values() if isinstance(i, Choice)}))


def first_names(full_names: Iterable[str]) -> list[str]:
    """First names only (privacy: the kiosk never says or lists a last name)."""
    return sorted({n.split()[0] for n in full_names if n.split()})


def _provider_forms(provider: str) -> list[str]:
    tokens = [t for t in normalize(provider) if t not in _TITLES]
    if not tokens:
        return []
    forms = [" ".join(tokens), tokens[-1]]
    return sorted(set(forms))


def _date_words(lang: str) -> set[str]:
    if lang == "es":
        return set(ES_MONTHS) | set(ES_VALUES) | {"de", "y", "mil", "el"}
    return (
        set(EN_MONTHS) | set(EN_ONES[1:]) | set(EN_TENS) | set(EN_ORDINALS[1:])
        | {"twentieth", "thirtieth", "oh", "thousand", "hundred", "and", "the", "of"}
    )  # fmt: skip


@functools.lru_cache(maxsize=32)
def cached_grammar(  # noqa: PLR0917 - a cache key
    step: Step,
    lang: str,
    names: tuple[str, ...],
    providers: tuple[str, ...],
    options: tuple[str, ...],
    dobs: tuple[date, ...],
    today: date,
    buttons: tuple[str, ...] = (),
) -> StepGrammar:
    """``build_grammar`` for the dialog's turns, cached: a screen listened on again (a miss,
    "again") takes the grammar it already built."""
    return build_grammar(step, names, providers, lang, today, dobs=dobs, options=options, buttons=buttons)
