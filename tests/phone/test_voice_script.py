"""Spoken answers on the line, pure: each spoken menu choice takes its key's path, the own
appointment by voice reads a spoken birth date back before it counts, and only an
agreed "yes" (an intent, not a guess) moves on. No audio here: tests/phone/test_voice_line.py
speaks to the line."""

from __future__ import annotations

from datetime import date

import pytest

from phone.script import CallScript, Day
from phone.voice_words import menu_choice, menu_grammar
from speech.intents import Choice, DateOfBirth, Intent, Language, Name, No, Repeat, Yes

DAY = Day([], {}, "2026-12-07")


@pytest.mark.parametrize(
    ("said", "key"),
    [("call me back", "0"), ("please call me back", "0"), ("front desk", "9"), ("my appointment", "3"),
     ("which doctors are in today", "1"), ("repeat", "1"), ("espanol", "2")],
)  # fmt: skip
def test_each_spoken_choice_stands_for_its_key(said: str, key: str) -> None:
    assert menu_choice(menu_grammar("en").parse(said, date(2026, 12, 7))) == key


def test_front_desk_without_a_desk_is_a_callback_request_recorded_once() -> None:
    script = CallScript("Riverside", voice=True)
    assert script.on_spoken(Choice("front_desk"), DAY).callback
    again = script.on_spoken(Choice("callback"), DAY)
    assert not again.callback and again.prompts[0] == "Your request for a call back is already recorded."


def test_front_desk_with_a_desk_transfers() -> None:
    assert CallScript("Riverside", desk=True, voice=True).on_spoken(Choice("front_desk"), DAY).transfer


def test_what_means_nothing_at_the_menu_is_answered_and_changes_nothing() -> None:
    script = CallScript("Riverside", voice=True)
    reaction = script.on_spoken(None, DAY)
    assert reaction.prompts[0] == "Sorry, I did not catch that."
    assert not (reaction.callback or reaction.transfer or reaction.lookup) and script.lang == "en"
    assert script.on_spoken(Language("es"), DAY).prompts[0] == "Gracias por llamar a Riverside."


def test_the_opening_says_what_can_be_said_only_when_the_line_listens() -> None:
    assert "call me back" in CallScript("R", voice=True).opening(DAY)[-1]
    assert "call me back" not in " ".join(CallScript("R").opening(DAY))


def _spoken_entry(script: CallScript, answers: list[Intent | None]) -> list[str]:
    said: list[str] = []
    for intent in answers:
        reaction = script.on_spoken(intent, DAY)
        said += reaction.prompts
        if reaction.lookup is not None:
            assert reaction.lookup.name == "Maria" and reaction.lookup.digits == "03041982"
            assert reaction.lookup.keys == "" and "Maria" not in repr(reaction.lookup)
            said.append("<lookup>")
    return said


def test_a_spoken_birth_date_is_read_back_and_only_an_agreed_yes_moves_on() -> None:
    script = CallScript("Riverside", voice=True)
    said = _spoken_entry(script, [Choice("own_appointment"), DateOfBirth(date(1982, 3, 4))])
    assert said[-1].startswith("I heard March fourth, nineteen eighty two.")
    # A "yes" the passes did not agree on arrives as no intent: asked again, not confirmed.
    said = _spoken_entry(script, [None])
    assert said[0] == "Sorry, I did not catch that." and said[1].startswith("I heard March fourth")
    assert script.listening_for == "confirm"
    said = _spoken_entry(script, [Yes()])
    assert said == [
        "Now say your first name, or enter its first two letters on the keypad. "
        "For example, for Maria, press six, then two."
    ]
    assert _spoken_entry(script, [Name("Maria")]) == ["<lookup>"]
    assert script.listening_for == ""  # looking up: nothing said counts meanwhile


def test_no_to_the_read_back_asks_for_the_date_again_and_keys_still_work() -> None:
    script = CallScript("Riverside", voice=True)
    _spoken_entry(script, [Choice("own_appointment"), DateOfBirth(date(1982, 3, 4)), No()])
    assert script.listening_for == "dob"
    for key in "03041982":
        script.on_key(key, DAY)
    assert script.listening_for == "name"  # the keypad's path: the letters (or the name, spoken)
    reactions = [script.on_key(k, DAY) for k in "62"]
    assert reactions[-1].lookup is not None and reactions[-1].lookup.keys == "62"


def test_key_one_confirms_a_spoken_date_too_and_other_speech_there_is_not_a_yes() -> None:
    script = CallScript("Riverside", voice=True)
    _spoken_entry(script, [Choice("own_appointment"), DateOfBirth(date(1982, 3, 4)), Repeat()])
    assert script.listening_for == "confirm"
    script.on_key("1", DAY)
    assert script.listening_for == "name"
