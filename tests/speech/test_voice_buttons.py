""" "Done", "Start over", "Back", "Cancel" and the welcome's two ways in, said rather than
touched: every button a patient screen shows is reachable by voice (Section 508 402.2.1).
Pure checks of the screens' buttons against their grammars, and spoken buttons (espeak-ng
into a fresh pocketsphinx) moving the real flow."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

import pytest

from domain.flow import FlowView, Screen
from speech.adapter import apply_intent, means_something
from speech.grammar import build_grammar, button_names, grammar_buttons
from speech.intents import Button, CheckIn, Step, Yes
from speech.matcher import match_intent
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.script import plan_turn, screen_buttons, turn_key
from speech.tts import Pyttsx3Synthesizer
from tests.kiosk.test_flow import DAY
from tests.speech.scripted import Say, wait_until
from tests.speech.test_dialog import Kiosk
from tests.speech.test_pure import _Flow
from tests.speech.test_voice_help import LATE, MARIA, ON_TIME, _every_kind_of_view

TODAY = date.fromisoformat(DAY)
_SAID = {"en": {"done": "done", "start_over": "start over", "back": "go back", "cancel": "cancel",
                "code": "confirmation code", "dob": "date of birth"},
         "es": {"done": "listo", "start_over": "empezar de nuevo", "back": "atrás", "cancel": "cancelar",
                "code": "código", "dob": "fecha de nacimiento"}}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_button_a_screen_shows_is_heard_there_and_named_in_its_help(lang: str) -> None:
    for shown in _every_kind_of_view():
        view = dataclasses.replace(shown, language=lang)
        turn = plan_turn(view, hour=9)
        assert turn is not None and turn.step is not None
        if turn.step is Step.STILL_HERE:
            assert turn.buttons == ()  # the warning's overlay has one answer: still here
            continue
        grammar = build_grammar(turn.step, lang=lang, today=TODAY, options=turn.options, buttons=turn.buttons)
        assert set(grammar_buttons(grammar)) == set(screen_buttons(view)) == set(turn.buttons), view
        for button in turn.buttons:
            said = _SAID[lang][button]
            assert grammar.parse(said, TODAY) == Button(button), (view.screen, said)
            assert means_something(turn.step, Button(button))
            if button != "cancel":  # the welcome's help names its voice ways in, Cancel on screen
                assert said.split()[0] in turn.help(lang).lower(), (view.screen, button)


def test_a_button_is_heard_only_on_the_screen_that_shows_it() -> None:
    dob = build_grammar(Step.DATE_OF_BIRTH, today=TODAY, buttons=("back",))
    assert dob.parse("done", TODAY) is None and dob.parse("go back", TODAY) == Button("back")
    confirm = build_grammar(Step.CONFIRM, today=TODAY)
    assert confirm.parse("start over", TODAY) is None
    with pytest.raises(ValueError, match="no button 'print'"):
        build_grammar(Step.COMMON, buttons=("print",))
    assert set(button_names()) == {"done", "cancel", "start_over", "back", "code", "dob", "wake"}


def test_open_sentences_find_the_offered_button_and_nothing_else() -> None:
    retry = build_grammar(Step.RETRY, buttons=("start_over", "done"))
    assert match_intent("i'd like to start again please", Step.RETRY, retry.phrases) == Button("start_over")
    assert match_intent("i am all done thank you", Step.RETRY, retry.phrases) == Button("done")
    assert match_intent("yes try again", Step.RETRY, retry.phrases) == Yes()
    greeting = build_grammar(Step.GREETING, buttons=("code", "dob", "cancel"))
    said = "i want to check in with my confirmation code"
    assert match_intent(said, Step.GREETING, greeting.phrases) == Button("code")
    assert match_intent("i'm here to check in", Step.GREETING, greeting.phrases) == CheckIn()
    plain = build_grammar(Step.RETRY)
    assert match_intent("i'm all done", Step.RETRY, plain.phrases) is None  # not offered: no guess


def test_each_button_calls_what_its_touch_calls() -> None:
    flow = _Flow()
    assert apply_intent(Step.COMMON, Button("done"), flow) == "finish"
    assert apply_intent(Step.GREETING, Button("cancel"), flow) == "finish"
    assert apply_intent(Step.RETRY, Button("start_over"), flow) == "back"
    assert apply_intent(Step.DATE_OF_BIRTH, Button("back"), flow) == "back"
    assert apply_intent(Step.GREETING, Button("code"), flow) == "start_code"
    assert apply_intent(Step.COMMON, Button("dob"), flow) == "start_dob"
    assert [c for c in flow.calls if c[0] != "touch"] == [
        ("finish", None), ("finish", None), ("back", None), ("back", None),
        ("start", "code"), ("start", "dob"),
    ]  # fmt: skip


def test_an_on_time_outcome_queued_as_it_shows_is_one_turn_and_a_chosen_wait_is_another() -> None:
    """The flow shows an on-time outcome, then queues it, in one call: a dialog that looked
    between the two views must neither say it twice nor drop the listen it began."""
    shown = FlowView(screen=Screen.OUTCOME, patient=MARIA, outcome=ON_TIME)
    queued = dataclasses.replace(shown, choice="checked_in", queued=True)
    assert turn_key(shown) == turn_key(queued)
    late = FlowView(screen=Screen.OUTCOME, patient=MARIA, outcome=LATE)
    assert turn_key(late) != turn_key(dataclasses.replace(late, choice="waiting_late", queued=True))


@pytest.fixture
def lobby(say: Say, synth: Pyttsx3Synthesizer) -> Iterator[Kiosk]:
    k = Kiosk(say, synth, PocketsphinxRecognizer())
    yield k
    k.close()


def test_start_over_then_done_by_voice_on_the_message_screen(lobby: Kiosk) -> None:
    """ "That is not me": "start over" goes back to the welcome as the button does; the
    second time "done" ends the visit on the attract screen. No touch after the wake."""
    lobby.answer("yes", "july the twenty first nineteen ninety", "no", "start over")
    lobby.tap("wake")
    wait_until(lambda: lobby.said("Would you like to try again?"), what="the retry message")
    wait_until(lambda: lobby.view.screen == Screen.WELCOME, what="start over by voice")
    wait_until(lambda: lobby.captions.count("Good morning, are you here to check in?") == 2, what="greeting")
    lobby.answer("yes", "july the twenty first nineteen ninety", "no", "finished")
    wait_until(lambda: lobby.view.screen == Screen.ATTRACT, what="done by voice")
    assert "action: finish" in lobby.dialog.log and not lobby.sent


def test_done_by_voice_after_an_on_time_check_in_and_the_code_screen_back_to_voice(lobby: Kiosk) -> None:
    lobby.answer("confirmation code", "date of birth")
    lobby.tap("wake")
    wait_until(lambda: lobby.view.screen == Screen.DOB, what="the code screen left for the date by voice")
    assert lobby.said("Please type your code on the screen.")  # the code screen came, and was left
    lobby.answer("july the twenty first nineteen ninety", "yes")
    wait_until(lambda: lobby.sent, what="the check-in")
    wait_until(lambda: _outcomes_said(lobby) > 0, what="the outcome said")
    # Queued only once the outcome is said: queued with the others, a listen before the
    # outcome screen's took it (CI, beside another worker: the outcome screen never heard it).
    lobby.answer("finished")
    assert lobby.sent[0].appointment_id == "a3" and lobby.sent[0].outcome == "checked_in"
    wait_until(lambda: lobby.view.screen == Screen.ATTRACT, what="done said on the outcome screen")
    assert _outcomes_said(lobby) == 1


def _outcomes_said(lobby: Kiosk) -> int:
    return sum(line.startswith("said: ") and " is running " in line for line in list(lobby.dialog.log))
