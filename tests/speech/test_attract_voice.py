"""The attract screen by ear, with no presence sensor: "hello" or "check in" wakes the kiosk
and the welcome greets aloud; other speech near it hears, rarely, what the kiosk is and how to
start; silence hears nothing. Pure rules, then espeak-ng into a fresh pocketsphinx, real flow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.flow import FlowView, Screen
from speech.attract import AttractInvites
from speech.grammar import build_grammar
from speech.intents import Button, CallStaff, CheckIn, Help, Language, No, Step, Yes
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.script import attract_turn, text
from speech.tts import Pyttsx3Synthesizer
from tests.speech.scripted import Say, wait_until
from tests.speech.test_dialog import Kiosk

INVITE = text("attract_invite", "en")


@pytest.mark.parametrize(
    ("intent", "action"),
    [
        (CheckIn(), "wake"), (Yes(), "wake"), (Help(), "wake"), (Button("wake"), "wake"),
        (CallStaff(), "call_staff"), (Language("es"), "language:es"), (No(), ""),
    ],
)  # fmt: skip
def test_a_word_that_asks_for_the_kiosk_wakes_it(intent: object, action: str) -> None:
    assert AttractInvites().decide(intent, "heard", now=0.0) == action  # type: ignore[arg-type]


def test_the_invitation_is_rare_and_never_in_silence_or_right_after_a_visit() -> None:
    invites = AttractInvites(every_s=90.0, after_reset_s=20.0)
    assert invites.decide(None, "silence", now=0.0) == ""  # an empty lobby hears nothing
    assert invites.decide(None, "no_match", now=0.0) == "invite"
    assert invites.decide(None, "unsure", now=60.0) == ""  # once in 90 s at most
    assert invites.decide(None, "no_match", now=91.0) == "invite"
    invites.entered(now=200.0)  # a visit just ended: the patient leaving says goodbye
    assert invites.decide(None, "no_match", now=210.0) == ""
    assert invites.decide(None, "too_long", now=221.0) == "invite"


def test_the_attract_grammar_hears_greetings_and_the_greeting_words_in_both_languages() -> None:
    for lang, hello, check_in in (("en", "hello", "check in"), ("es", "hola", "registrarme")):
        turn = attract_turn(FlowView(language=lang))
        grammar = build_grammar(turn.step or Step.GREETING, lang=lang, buttons=turn.buttons)
        assert grammar.parse(hello, None) == Button("wake")  # type: ignore[arg-type]
        assert grammar.parse(check_in, None) == CheckIn()  # type: ignore[arg-type]
        assert turn.say == text("attract_invite", lang) and "check" in INVITE


@pytest.fixture
def lobby(say: Say, synth: Pyttsx3Synthesizer) -> Iterator[Kiosk]:
    k = Kiosk(say, synth, PocketsphinxRecognizer(), attract=AttractInvites(every_s=3600.0))
    yield k
    k.close()


def test_hello_wakes_the_kiosk_with_no_presence_sensor_and_no_touch(lobby: Kiosk) -> None:
    wait_until(lambda: lobby.source.listens >= 2, what="listening on the attract screen")
    assert lobby.captions == []  # silence: nothing said to an empty lobby
    lobby.answer("hello", "yes")
    wait_until(lambda: lobby.view.screen == Screen.DOB, what="hello, the greeting, then yes")
    assert lobby.captions[0] == "Good morning, are you here to check in?"
    assert INVITE not in lobby.captions


def test_other_speech_near_the_kiosk_hears_the_invitation_once(lobby: Kiosk) -> None:
    lobby.answer("where is the bathroom", "where is the bathroom")
    wait_until(lambda: lobby.said(INVITE), what="the invitation")
    wait_until(lambda: lobby.source.clips.empty() and lobby.source.listens >= 4, what="both heard")
    assert lobby.captions.count(INVITE) == 1 and lobby.view.screen == Screen.ATTRACT
    lobby.answer("hello")  # "check in" alone: the grammar pass is unsure of it (Whisper hears it)
    wait_until(lambda: lobby.view.screen == Screen.WELCOME, what="hello said after the invitation")
