"""The idle warning by voice: the kiosk says it, and a spoken "yes" keeps the patient's place
exactly as a touch does (espeak-ng answers through a fresh pocketsphinx, the real flow)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.flow import FlowView, Screen
from speech.agreement import weigh
from speech.confidence import ACT, REPROMPT
from speech.grammar import build_grammar
from speech.intents import CallStaff, Step, Yes
from speech.listener import ListenConfig, Listener, WavSource
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.recognizer import Hypothesis
from speech.script import plan_turn, text
from speech.tts import Pyttsx3Synthesizer
from speech.whisper_engine import WhisperRecognizer
from tests.speech.scripted import Say, wait_until
from tests.speech.test_dialog import Kiosk

TODAY = date(2025, 6, 2)
WARNING = "Are you still there? Say yes, or touch the screen, to keep going."


@pytest.fixture
def lobby(say: Say, synth: Pyttsx3Synthesizer) -> Iterator[Kiosk]:
    """A kiosk with its own recognizer: nothing another test heard carries into this one."""
    k = Kiosk(say, synth, PocketsphinxRecognizer())
    yield k
    k.close()


def _idle_until_the_warning(k: Kiosk, times: int = 1, idle_s: float | None = None) -> None:
    k.clock.advance(k.flow.settings.idle_timeout_s + 1 if idle_s is None else idle_s)
    k.tap("tick")
    assert k.view.countdown > 0
    wait_until(lambda: k.captions.count(WARNING) == times, what="the spoken warning")


def test_the_warning_is_spoken_and_a_spoken_yes_keeps_the_place_like_a_touch(lobby: Kiosk) -> None:
    lobby.tap("start", "code")  # a screen that asks nothing by voice: the dialog only listens
    wait_until(lambda: lobby.said("Please type your code on the screen."), what="the code prompt")
    _idle_until_the_warning(lobby)
    lobby.answer("yes, I'm still here")
    wait_until(lambda: lobby.view.countdown == 0, what="the countdown stopped by voice")
    assert lobby.view.screen == Screen.CODE  # the patient's place is kept
    assert "action: still_here" in lobby.dialog.log
    prompt = "Please type your code on the screen."
    wait_until(lambda: lobby.captions.count(prompt) == 2, what="the prompt again")
    lobby.clock.advance(lobby.flow.settings.idle_timeout_s - 1)  # the idle time starts again from the yes
    lobby.tap("tick")
    assert lobby.view.countdown == 0 and lobby.view.screen == Screen.CODE
    _idle_until_the_warning(lobby, times=2, idle_s=2)
    lobby.clock.advance(lobby.flow.settings.countdown_s)  # no answer this time: the screen resets
    lobby.tap("tick")
    after = lobby.view
    assert after.screen == Screen.ATTRACT


def test_the_warning_speaks_even_after_the_patient_declined_the_voice(lobby: Kiosk) -> None:
    lobby.answer("no thanks")
    lobby.tap("wake")
    wait_until(lambda: lobby.dialog.quiet, what="the voice declined")
    _idle_until_the_warning(lobby)
    lobby.answer("yes")
    wait_until(lambda: lobby.view.countdown == 0, what="the countdown stopped by voice")
    assert lobby.view.screen == Screen.WELCOME and lobby.dialog.quiet  # still quiet afterwards


def test_in_spanish_without_a_spanish_model_the_warning_is_still_spoken(lobby: Kiosk) -> None:
    lobby.tap("set_language", "es")
    lobby.tap("wake")
    wait_until(
        lambda: lobby.said("Continuemos en la pantalla."), what="the hand-over (pocketsphinx: English only)"
    )
    lobby.clock.advance(lobby.flow.settings.idle_timeout_s + 1)
    lobby.tap("tick")
    wait_until(
        lambda: lobby.said("¿Sigue ahí? Diga sí, o toque la pantalla, para continuar."), what="the warning"
    )
    lobby.tap("touch")  # a touch answers it; nothing was listened for
    assert lobby.view.countdown == 0 and lobby.source.listens == 0
    assert lobby.captions.count("Continuemos en la pantalla.") == 1  # handed over once, not again


def test_the_warning_turn_in_both_languages_listens_for_yes_still_here_and_si() -> None:
    view = FlowView(screen=Screen.CONFIRM, countdown=20)
    en = plan_turn(view, hour=9)
    es = plan_turn(FlowView(screen=Screen.DOB, countdown=3, language="es"), hour=9)
    assert en is not None and en.say == WARNING and en.step is Step.STILL_HERE
    assert es is not None and es.say == text("still_there", "es") == (
        "¿Sigue ahí? Diga sí, o toque la pantalla, para continuar."
    )
    assert es.step is Step.STILL_HERE
    assert plan_turn(FlowView(screen=Screen.CONFIRM), hour=9) is None  # no patient: nothing to confirm
    english = build_grammar(Step.STILL_HERE, lang="en")
    spanish = build_grammar(Step.STILL_HERE, lang="es")
    for said in ("yes", "still here", "i'm still here", "yeah"):
        assert english.parse(said, TODAY) == Yes(), said
        assert english.word_graph().accepts(said.split())
    for said in ("sí", "si", "sigo aquí", "aquí estoy"):
        assert spanish.parse(said, TODAY) == Yes(), said
    assert english.parse("call staff", TODAY) == CallStaff()  # the common words work here too
    assert english.parse("check in", TODAY) is None


def test_at_the_warning_the_grammar_alone_may_act_but_nowhere_else() -> None:
    """The warning's "yes" only stops a countdown: the grammar pass may act on it alone, as the
    agreement rules allow for answers that change nothing irreversible. A confirming "yes"
    still needs Whisper's agreement."""
    warning = build_grammar(Step.STILL_HERE)
    confirm = build_grammar(Step.CONFIRM)
    assert weigh(warning, Yes(), None, TODAY, grammar_decision=ACT) == (Yes(), "grammar")
    assert weigh(warning, Yes(), None, TODAY, grammar_decision=REPROMPT) == (None, "")
    assert weigh(confirm, Yes(), None, TODAY, grammar_decision=ACT) == (None, "")
    unsure = Hypothesis("call staff", "whisper", avg_logprob=-3.0, no_speech_prob=0.9)
    assert weigh(warning, Yes(), unsure, TODAY, grammar_decision=ACT) == (None, "")  # Whisper heard else


@pytest.fixture
def whisper(whisper_model: Path) -> WhisperRecognizer:
    """A new one per test, as a kiosk starts with: its grammar pass's live CMN carries nothing over."""
    return WhisperRecognizer(whisper_model, threads=2)


@pytest.mark.parametrize("said", ["yes i'm still here", "still here"])
def test_the_whisper_engine_hears_the_warning_s_answer(
    whisper: WhisperRecognizer, say: Say, said: str
) -> None:
    """The Whisper engine (its grammar pass and Whisper weighed): the answer keeps the place."""
    grammar = build_grammar(Step.STILL_HERE, lang="en", today=TODAY)
    heard = Listener(whisper, config=ListenConfig(timeout_s=6.0)).listen(WavSource(say(said)), grammar, TODAY)
    assert heard.intent == Yes(), heard
