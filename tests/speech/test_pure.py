"""Pure functions: spoken numbers and dates, grammars, phrases, the intent seam."""

from __future__ import annotations

import dataclasses
from datetime import date, time

import pytest

from domain.flow import FlowView, Screen
from speech.adapter import MissCounter, apply_intent
from speech.dates import parse_spoken_date
from speech.grammar import build_grammar, first_names
from speech.intents import CallStaff, Choice, DateOfBirth, Help, Language, Name, No, Repeat, Step, Volume, Yes
from speech.numbers import read_number, say_number, say_ordinal
from speech.phrases import confirm_prompt, greeting, provider_status, say_delay, say_time
from speech.pronounce import guess_phones
from speech.script import plan_turn
from speech.wordgraph import build_word_graph

TODAY = date(2025, 6, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("march fourth nineteen eighty two", date(1982, 3, 4)),
        ("the fourth of march eighty two", date(1982, 3, 4)),
        ("three four nineteen eighty two", date(1982, 3, 4)),
        ("fourth of march eighty two", date(1982, 3, 4)),
        ("march the fourth nineteen eighty two", date(1982, 3, 4)),
        ("March 4, 1982", date(1982, 3, 4)),
        ("my date of birth is march four nineteen eighty two", date(1982, 3, 4)),
        ("december twenty first two thousand and five", date(2005, 12, 21)),
        ("january first twenty oh five", date(2005, 1, 1)),
        ("july fourth twenty twenty", date(2020, 7, 4)),
        ("twelve thirty one ninety nine", date(1999, 12, 31)),
        ("august thirtieth nineteen oh nine", date(1909, 8, 30)),
        ("may first oh five", None),
        ("february thirtieth nineteen ninety", None),  # no such day
        ("march fourth", None),  # no year
        ("march fourth twenty ninety", None),  # the future
        ("thirteen four nineteen eighty", None),  # no thirteenth month
        ("yes", None),
        ("", None),
    ],
)
def test_parse_spoken_date_english(text: str, expected: date | None) -> None:
    assert parse_spoken_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cuatro de marzo de mil novecientos ochenta y dos", date(1982, 3, 4)),
        ("el primero de enero de dos mil cinco", date(2005, 1, 1)),
        ("treinta y uno de diciembre de mil novecientos noventa y nueve", date(1999, 12, 31)),
        ("Dieciséis de julio de mil novecientos setenta", date(1970, 7, 16)),
        ("cuatro de marzo", None),
    ],
)
def test_parse_spoken_date_spanish(text: str, expected: date | None) -> None:
    assert parse_spoken_date(text, TODAY, "es") == expected


def test_two_digit_years_pick_the_past() -> None:
    assert parse_spoken_date("march fourth twenty", TODAY) == date(2020, 3, 4)
    assert parse_spoken_date("march fourth thirty", TODAY) == date(1930, 3, 4)


def test_numbers_round_trip() -> None:
    for n in range(100):
        tokens = say_number(n).split()
        assert read_number(tokens, 0, ordinal_ok=False) == (n, len(tokens), False)
    for n in range(1, 32):
        tokens = say_ordinal(n).split()
        assert read_number(tokens, 0) == (n, len(tokens), True)
    assert say_number(42, "es") == "cuarenta y dos"


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_phrase_is_in_the_graph_and_parses_back(step: Step, lang: str) -> None:
    grammar = build_grammar(step, ["Maria", "José", "Mary-Jo"], ["Dr. Ana Martinez", "Dr. Lee"], lang, TODAY)
    graph = grammar.word_graph()
    for phrase, intent in grammar.phrases.items():
        assert graph.accepts(phrase.split()), phrase
        assert grammar.parse(phrase, TODAY) == intent
    assert grammar.words >= graph.words
    assert not graph.accepts(["bogus"])


def test_date_graph_accepts_spoken_dates_and_only_plausible_years() -> None:
    graph = build_grammar(Step.DATE_OF_BIRTH, today=TODAY).word_graph()
    for text in (
        "march fourth nineteen eighty two",
        "the fourth of march eighty two",
        "three four nineteen eighty two",
        "december tenth two thousand and five",
        "july twenty first twenty oh five",
        "call staff",
    ):
        assert graph.accepts(text.split()), text
    assert not graph.accepts(["march", "fourth", "twenty", "ninety"])
    es = build_grammar(Step.DATE_OF_BIRTH, lang="es", today=TODAY).word_graph()
    assert es.accepts(["cuatro", "de", "marzo", "de", "mil", "novecientos", "ochenta", "y", "dos"])


def test_grammar_maps_steps_to_intents() -> None:
    names = build_grammar(Step.CHOOSE_NAME, ["Maria", "James"], lang="en")
    assert names.parse("my name is maria", TODAY) == Name("Maria")
    assert names.parse("um james", TODAY) == Name("James")
    out = build_grammar(
        Step.OUTCOME, providers=["Dr. Ana Martinez"], options=["other_provider", "front_desk"]
    )
    assert out.parse("see doctor martinez", TODAY) == Choice("other_provider")
    assert out.parse("front desk", TODAY) == Choice("front_desk")
    assert out.parse("i'll wait", TODAY) is None  # not offered
    late = build_grammar(Step.OUTCOME, options=["waiting_late", "return_later"], lang="es")
    assert late.parse("vuelvo mas tarde", TODAY) == Choice("return_later")
    greet = build_grammar(Step.GREETING)
    assert greet.parse("yes please", TODAY) == Yes()
    assert greet.parse("call staff", TODAY) == CallStaff()
    assert greet.parse("spanish", TODAY) == Language("es")
    assert greet.parse("banana", TODAY) is None
    assert build_grammar(Step.CONFIRM, lang="es").parse("sí", TODAY) == Yes()
    dob = build_grammar(Step.DATE_OF_BIRTH, today=TODAY)
    assert dob.parse("march fourth nineteen eighty two", TODAY) == DateOfBirth(date(1982, 3, 4))
    with pytest.raises(ValueError, match="today"):
        build_grammar(Step.DATE_OF_BIRTH)
    with pytest.raises(ValueError, match="language"):
        build_grammar(Step.GREETING, lang="fr")


def test_grammar_key_changes_with_the_schedule() -> None:
    a = build_grammar(Step.CHOOSE_NAME, ["Maria"])
    assert a.key == build_grammar(Step.CHOOSE_NAME, ["Maria"]).key
    assert a.key != build_grammar(Step.CHOOSE_NAME, ["Maria", "Kevin"]).key


def test_word_graph_refuses_empty_alternatives() -> None:
    with pytest.raises(ValueError, match="null transition"):
        build_word_graph([[[[]]]])


def test_privacy_first_names_only() -> None:
    assert first_names(["Maria Lopez", "James  O'Neil", ""]) == ["James", "Maria"]
    spoken = confirm_prompt("Maria Lopez", time(9, 30), "Dr. Ana Martinez")
    assert spoken == "Is this Maria, at nine thirty with Doctor Martinez?"
    assert "Lopez" not in spoken


@pytest.mark.parametrize(
    ("t", "en", "es"),
    [
        (time(9, 30), "nine thirty", "las nueve y media"),
        (time(9, 5), "nine oh five", "las nueve y cinco"),
        (time(13, 0), "one o'clock", "la una"),
        (time(0, 45), "twelve forty five", "las doce y cuarenta y cinco"),
    ],
)
def test_say_time(t: time, en: str, es: str) -> None:
    assert say_time(t) == en
    assert say_time(t, "es") == es


def test_provider_status_in_plain_words() -> None:
    assert (
        provider_status("Dr. Martinez", 19, time(9, 50))
        == "Doctor Martinez is running about twenty minutes late; your new estimated time is nine fifty."
    )
    assert provider_status("Dr. Martinez", 2, None) == "Doctor Martinez is running on time."
    assert say_delay(61) == "about an hour late"
    assert say_delay(130) == "about two hours late"
    spanish = provider_status("Dr. Martinez", 20, time(9, 50), "es")
    assert spanish.startswith("El doctor Martinez va con unos veinte")
    assert greeting(8) == "Good morning, are you here to check in?"
    assert greeting(14).startswith("Good afternoon")


class _Flow:
    """Records calls; the dialog tests drive the real ``domain.flow.CheckInFlow``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def start(self, method: str = "dob") -> None:
        self.calls.append(("start", method))

    def enter_dob(self, digits: str, method: str = "dob") -> None:
        self.calls.append(("enter_dob", (digits, method)))

    def choose_first_name(self, name: str) -> None:
        self.calls.append(("choose_first_name", name))

    def confirm(self, yes: bool) -> None:
        self.calls.append(("confirm", yes))

    def choose(self, option: str) -> None:
        self.calls.append(("choose", option))

    def call_staff(self) -> None:
        self.calls.append(("call_staff", None))

    def set_language(self, language: str) -> None:
        self.calls.append(("set_language", language))

    def touch(self) -> None:
        self.calls.append(("touch", None))

    def change_volume(self, steps: int) -> None:
        self.calls.append(("change_volume", steps))

    def finish(self) -> None:
        self.calls.append(("finish", None))

    def back(self) -> None:
        self.calls.append(("back", None))

    def wake(self) -> None:
        self.calls.append(("wake", None))


def test_apply_intent_drives_the_flow_like_taps() -> None:
    flow = _Flow()
    assert apply_intent(Step.GREETING, Yes(), flow) == "start"
    assert apply_intent(Step.DATE_OF_BIRTH, DateOfBirth(date(1982, 3, 4)), flow) == "enter_dob"
    assert apply_intent(Step.CHOOSE_NAME, Name("Maria"), flow) == "choose_first_name"
    assert apply_intent(Step.CONFIRM, No(), flow) == "confirm"
    assert apply_intent(Step.CONFIRM, CallStaff(), flow) == "call_staff"
    assert apply_intent(Step.DATE_OF_BIRTH, Language("es"), flow) == "set_language"
    assert apply_intent(Step.OUTCOME, Choice("waiting_late"), flow) == "choose"
    assert apply_intent(Step.RETRY, Yes(), flow) == "start"
    assert apply_intent(Step.GREETING, No(), flow) == "decline"
    assert apply_intent(Step.CONFIRM, Help(), flow) == "help"
    assert apply_intent(Step.COMMON, Repeat(), flow) == "repeat"
    assert apply_intent(Step.STILL_HERE, Yes(), flow) == "still_here"
    assert apply_intent(Step.COMMON, Yes(), flow) == "ignored"
    assert apply_intent(Step.CONFIRM, Volume(-1), flow) == "volume"
    assert apply_intent(Step.CONFIRM, Name("Maria"), flow) == "ignored"
    assert apply_intent(Step.CONFIRM, Choice("reschedule"), flow) == "ignored"
    assert flow.calls == [
        ("start", "dob"),
        ("enter_dob", ("03041982", "voice")),
        ("choose_first_name", "Maria"),
        ("confirm", False),
        ("call_staff", None),
        ("set_language", "es"),
        ("choose", "waiting_late"),
        ("start", "dob"),
        ("touch", None),
        ("change_volume", -1),
    ]


def test_every_second_miss_in_a_row_says_the_choices_aloud() -> None:
    misses = MissCounter(limit=2)
    assert not misses.miss()
    misses.hit()
    assert not misses.miss()
    assert misses.miss()
    assert [misses.miss(), misses.miss()] == [False, True]  # and again: the voice never gives up


def test_guessed_phones_are_arpabet() -> None:
    assert guess_phones("Xiomara") == "K S IY OW M AA R AA"
    assert guess_phones("---") == "AH"


# --- the dialog's turns (pure: FlowView in, words and grammar step out) -------------------


def _views() -> list[FlowView]:
    from datetime import datetime as dt

    from domain.estimate import Outcome
    from domain.flow import Patient

    maria = Patient("Maria", "G", "09:30", "Dr. Ana Martinez")
    late = Outcome("late", 20, 20, dt(2025, 6, 2, 9, 50), options=("waiting_late", "return_later"))
    out = Outcome(
        "out", alternative_provider_id="okafor", options=("other_provider", "front_desk", "reschedule")
    )
    return [
        FlowView(screen=Screen.WELCOME),
        FlowView(screen=Screen.DOB, digits="03041982"),
        FlowView(screen=Screen.LETTERS, digits="03041982"),
        FlowView(screen=Screen.CONFIRM, digits="03041982", patient=maria),
        FlowView(screen=Screen.OUTCOME, patient=maria, outcome=late),
        FlowView(screen=Screen.OUTCOME, patient=maria, outcome=out, alternative_name="Dr. Ngozi Okafor"),
        FlowView(screen=Screen.DONE, patient=maria, outcome=late, choice="return_later"),
        FlowView(screen=Screen.MESSAGE, message="not_found", digits="03041982"),
        FlowView(screen=Screen.MESSAGE, message="too_early", opens_at="11:30"),
        FlowView(screen=Screen.MESSAGE, message="something_new"),
        FlowView(screen=Screen.CODE),
    ]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_screen_has_a_turn_and_none_says_a_birth_date_or_last_name(lang: str) -> None:
    for view in _views():
        turn = plan_turn(dataclasses.replace(view, language=lang), hour=9)
        assert turn is not None and turn.say, view
        lowered = turn.say.lower()
        for secret in ("garcia", " g.", "1982", "march", "marzo", "03041982", "ochenta"):
            assert secret not in lowered, (secret, turn.say)
    assert plan_turn(FlowView(), hour=9) is None


def test_turns_say_the_issue_s_sentences_and_listen_for_the_right_step() -> None:
    turns = [plan_turn(v, hour=9) for v in _views()]
    said = [t.say for t in turns if t is not None]
    steps = [t.step for t in turns if t is not None]
    assert said[0] == "Good morning, are you here to check in?"
    assert said[3] == "Is this Maria, at nine thirty with Doctor Martinez?"
    assert said[4] == (
        "Doctor Martinez is running about twenty minutes late; your new estimated time is nine fifty. "
        "Would you like to wait, or leave and come back?"
    )
    assert "You can see Doctor Okafor instead" in said[5]
    assert said[6] == "Thank you. Please come back by nine fifty."
    assert said[8] == "You're a little early. Check-in opens at eleven thirty."
    assert said[9] == "Please see the front desk."
    assert steps[:6] == [
        Step.GREETING,
        Step.DATE_OF_BIRTH,
        Step.CHOOSE_NAME,
        Step.CONFIRM,
        Step.OUTCOME,
        Step.OUTCOME,
    ]
    assert steps[6:] == [Step.COMMON, Step.RETRY, Step.COMMON, Step.COMMON, Step.COMMON]
    out = turns[5]
    assert out is not None and out.providers == ("Dr. Ngozi Okafor",) and "other_provider" in out.options


def test_booked_birth_dates_weigh_more_but_any_date_is_still_accepted() -> None:
    booked = build_grammar(Step.DATE_OF_BIRTH, today=TODAY, dobs=[date(1982, 3, 4), date(2030, 1, 1)])
    graph = booked.word_graph()
    assert graph.accepts(["march", "fourth", "nineteen", "eighty", "two"])
    assert graph.accepts(["june", "first", "nineteen", "fifty"])
    starts = {(w, p) for fr, _to, p, w in graph.arcs if fr == graph.start}
    assert ("march", 1.0) in starts and ("march", booked.any_date_weight) in starts
    assert booked.any_date_weight < 1e-10
    assert build_grammar(Step.DATE_OF_BIRTH, today=TODAY).any_date_weight == 1.0  # no schedule: no prior
    assert booked.key != build_grammar(Step.DATE_OF_BIRTH, today=TODAY).key
    with pytest.raises(ValueError, match="one weight per pattern"):
        build_word_graph([[[["a"]]]], [0.5, 0.5])
    with pytest.raises(ValueError, match="probabilities"):
        build_word_graph([[[["a"]]]], [0.0])


def test_the_lexicon_reads_cmudict_lines_variants_comments_and_any_order() -> None:
    from speech.pronounce import Lexicon, load_cmudict

    text = (
        b";;; a comment line\nzeta Z EY T AH # a trailing note\n"
        b"alpha AE L F AH\nalpha(2) AA L F AH\n\nmaria M ER IY AH"  # unsorted, no final newline
    )
    lexicon = Lexicon(text)
    assert len(lexicon) == 4
    assert lexicon.get("alpha") == ("AE L F AH", "AA L F AH")  # the main one first
    assert lexicon.get("zeta") == ("Z EY T AH",) and lexicon.get("maria") == ("M ER IY AH",)
    assert lexicon.get("beta") is None and lexicon.get("alph") is None and lexicon.get(";;;") is None
    from pocketsphinx import get_model_path

    cmudict = load_cmudict(get_model_path("en-us/cmudict-en-us.dict"))
    assert len(cmudict) > 130_000 and cmudict.get("yes") == ("Y EH S",)
    assert cmudict.get("read") is not None and len(cmudict.get("read") or ()) == 2  # R IY D, R EH D
