""" "Repeat" and "help" on every screen: every state of the voice dialog has its purpose and
choices in English and Spanish (call staff among them), and both work by voice (espeak-ng
into a fresh pocketsphinx, the real flow)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime

import pytest

from core.clock import ManualClock
from domain.estimate import Outcome
from domain.flow import CheckInFlow, FlowView, Patient, Screen
from domain.voice_words import help_keys, help_text
from speech.dialog import VoiceDialog
from speech.grammar import StepGrammar, build_grammar
from speech.intents import Help, Repeat, Step
from speech.listener import AudioSource, Heard, Listener
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.script import help_states, plan_turn
from speech.tts import HalfDuplex, MemorySink, Pyttsx3Synthesizer, Speaker
from tests.kiosk.test_flow import DAY, Day
from tests.speech.scripted import FlowThread, Say, ScriptedSource, wait_until
from tests.speech.test_dialog import Kiosk

TODAY = date.fromisoformat(DAY)
MARIA = Patient("Maria", "G", "09:30", "Dr. Ana Martinez")
LATE = Outcome("late", 20, 20, datetime(2025, 6, 2, 9, 50), options=("waiting_late", "return_later"))
ON_TIME = Outcome("on_time", 0, 5, None, options=("checked_in",))


def _every_kind_of_view() -> list[FlowView]:
    """A view for each screen, each outcome and message the dialog treats apart, and the
    idle warning on top of one."""
    return [
        FlowView(screen=Screen.WELCOME),
        FlowView(screen=Screen.DOB),
        FlowView(screen=Screen.LETTERS, digits="03041982"),
        FlowView(screen=Screen.CODE),
        FlowView(screen=Screen.CONFIRM, patient=MARIA),
        FlowView(screen=Screen.OUTCOME, patient=MARIA, outcome=LATE),
        FlowView(screen=Screen.OUTCOME, patient=MARIA, outcome=ON_TIME, queued=True),
        FlowView(screen=Screen.DONE, patient=MARIA, outcome=LATE, choice="waiting_late"),
        FlowView(screen=Screen.MESSAGE, message="not_found"),
        FlowView(screen=Screen.MESSAGE, message="too_late"),
        FlowView(screen=Screen.CONFIRM, patient=MARIA, countdown=12),
    ]


def test_every_dialog_state_has_a_purpose_and_choices_in_english_and_spanish() -> None:
    """A new step or screen without its help text fails here (``help_states`` is read from
    the ``Step`` and ``Screen`` enums, not from the texts)."""
    assert set(help_states()) == set(help_keys())
    for state in help_states():
        english, spanish = help_text(state, "en"), help_text(state, "es")
        assert english != spanish, state
        assert "call staff" in english.lower() and "repeat" in english.lower(), state
        assert "personal" in spanish.lower() and "repita" in spanish.lower(), state


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_turn_has_help_and_listens_for_repeat_and_help(lang: str) -> None:
    for view in _every_kind_of_view():
        turn = plan_turn(dataclasses.replace(view, language=lang), hour=9)
        assert turn is not None and turn.step is not None, view
        assert turn.help(lang) == help_text(turn.help_key, lang)
        assert "maria" not in turn.help(lang).lower()  # help names no patient
        grammar = build_grammar(turn.step, lang=lang, today=TODAY)
        assert grammar.parse("repeat" if lang == "en" else "repita", TODAY) == Repeat()
        assert grammar.parse("help" if lang == "en" else "ayuda", TODAY) == Help()
    warning = plan_turn(_every_kind_of_view()[-1], hour=9)
    assert warning is not None and warning.help_key == "step:still_here"
    code = plan_turn(FlowView(screen=Screen.CODE), hour=9)
    assert code is not None and (code.step, code.help_key) == (Step.COMMON, "screen:code")


@pytest.fixture
def lobby(say: Say, synth: Pyttsx3Synthesizer) -> Iterator[Kiosk]:
    """A kiosk with its own recognizer: nothing another test heard carries into this one."""
    k = Kiosk(say, synth, PocketsphinxRecognizer())
    yield k
    k.close()


def test_repeat_says_the_prompt_again_and_help_says_purpose_and_choices(lobby: Kiosk) -> None:
    lobby.answer("yes", "please repeat", "help")  # bare "repeat" at the date step: 11 of 12 acted on
    lobby.tap("wake")
    wait_until(lambda: lobby.captions.count("What is your date of birth?") == 2, what="the prompt repeated")
    wait_until(lambda: lobby.said("I need your date of birth"), what="the date step's help")
    said = next(c for c in lobby.captions if c.startswith("I need your date of birth"))
    assert said == help_text("step:date_of_birth", "en") and "call staff" in said
    assert lobby.view.screen == Screen.DOB  # neither moves the flow
    lobby.tap("start", "code")  # a screen that asks nothing still answers "help"
    wait_until(lambda: lobby.said("Please type your code on the screen."), what="the code prompt")
    lobby.answer("help")
    wait_until(lambda: lobby.said(help_text("screen:code", "en")), what="the code screen's help")
    assert not any("Sorry" in c for c in lobby.captions)  # silence on a screen that asks nothing is no miss


class _ScriptedHearing(Listener):
    """The real listener's interface, answering with scripted outcomes (then waiting for a
    cancel): for outcomes the real recognizer gives only sometimes, such as an unsure "help"."""

    def __init__(self, outcomes: list[Heard]) -> None:
        super().__init__(PocketsphinxRecognizer(), HalfDuplex(tail_s=0.0))
        self.outcomes = outcomes

    def listen(
        self, source: AudioSource, grammar: StepGrammar, today: date, cancel: Callable[[], bool] | None = None
    ) -> Heard:
        if self.outcomes:
            return self.outcomes.pop(0)
        while cancel is not None and not cancel():
            time.sleep(0.01)
        return Heard("cancelled")


def test_a_doubtful_help_or_repeat_is_answered_anyway(synth: Pyttsx3Synthesizer) -> None:
    """Below the grammar's bars, "help" and "repeat" still get their answer: neither changes
    anything, and a miss would lead there anyway."""
    clock = ManualClock(datetime.fromisoformat(f"{DAY}T09:05"))
    thread = FlowThread()
    flow = CheckInFlow(Day(), lambda _msg: True, clock, "lobby-1")
    captions: list[str] = []
    speaker = Speaker(synth, MemorySink(), HalfDuplex(tail_s=0.0), captions.append)
    hearing = _ScriptedHearing([Heard("unsure", guess=Help()), Heard("unsure", guess=Repeat())])
    dialog = VoiceDialog(flow, thread.post, hearing, ScriptedSource(), speaker, clock)
    flow.add_listener(dialog.on_view)
    dialog.start()
    try:
        thread.call(lambda: flow.start("dob"))
        wait_until(
            lambda: captions.count("What is your date of birth?") == 2, what="help, then the prompt again"
        )
        assert help_text("step:date_of_birth", "en") in captions
        assert not any("Sorry" in c for c in captions)
    finally:
        dialog.stop()
        speaker.close()
        thread.close()
