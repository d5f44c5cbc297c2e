"""Rejection before action: the decision (pure), the intent matcher (pure, many paraphrases),
the day's vocabulary, and the real recognizer rejecting out-of-domain speech."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from core.errors import SpeechError
from speech.audio import write_wav
from speech.cli import add_commands
from speech.confidence import ACT, REPROMPT, Evidence, consequential, decide, margin
from speech.day import day_vocabulary
from speech.grammar import build_grammar
from speech.intents import CallStaff, CheckIn, Choice, DateOfBirth, Help, Language, Name, No, Step, Yes
from speech.listener import Listener, WavSource
from speech.matcher import match_intent
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from tests.speech.corpus import OPTIONS, TODAY, grammar_for
from tests.speech.scripted import Say


def test_decide_bars_ordinary_and_consequential() -> None:
    sure = Evidence(confidence=0.0, unexplained=0.0, margin=None)
    assert decide(Step.GREETING, Yes(), sure) == ACT
    assert decide(Step.GREETING, Yes(), Evidence(-30.0, 0.0)) == REPROMPT
    assert decide(Step.GREETING, Yes(), Evidence(0.0, 0.9)) == REPROMPT  # "wait" inside a sentence
    assert decide(Step.GREETING, Yes(), Evidence()) == ACT  # an engine that measures nothing
    shaky = Evidence(-6.0, 0.1, None)
    assert decide(Step.GREETING, Help(), shaky) == ACT
    assert decide(Step.CONFIRM, Yes(), shaky) == REPROMPT  # a confirmation needs a clearer margin
    assert decide(Step.CONFIRM, No(), Evidence(0.0, 0.0, 0.2)) == REPROMPT  # close runner-up
    assert decide(Step.OUTCOME, Choice("other_provider"), shaky) == REPROMPT
    assert decide(Step.OUTCOME, Choice("waiting_late"), shaky) == ACT
    assert consequential(Step.CONFIRM, No()) and not consequential(Step.GREETING, No())
    born = DateOfBirth(date(1982, 3, 4))
    assert decide(Step.DATE_OF_BIRTH, born, Evidence(12.0, 0.0, 1.5)) == ACT
    assert decide(Step.DATE_OF_BIRTH, born, Evidence(2.0, 0.0, 1.5)) == REPROMPT  # dates fit anything
    assert decide(Step.DATE_OF_BIRTH, born, Evidence(12.0, 0.0, 0.3)) == REPROMPT  # a near-tie date


def test_margin_is_the_lead_over_a_different_meaning() -> None:
    grammar = build_grammar(Step.CONFIRM)

    def parse(text: str) -> object:
        return grammar.parse(text, TODAY)

    alts = (("yes", -10.0), ("yes please", -10.5), ("no", -12.0))
    assert margin(Yes(), alts, parse) == pytest.approx(2.0)  # type: ignore[arg-type]
    assert margin(Yes(), alts[:2], parse) is None  # type: ignore[arg-type]
    assert margin(Yes(), (), parse) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("step", "text", "intent"),
    [
        (Step.GREETING, "I have an appointment", CheckIn()),
        (Step.GREETING, "I've got an appointment at ten", CheckIn()),
        (Step.GREETING, "yes I'm here to check in", CheckIn()),
        (Step.GREETING, "check me in please", CheckIn()),
        (Step.GREETING, "yep", Yes()),
        (Step.GREETING, "nope", No()),
        (Step.GREETING, "I need help", Help()),
        (Step.GREETING, "can I talk to a person", CallStaff()),
        (Step.GREETING, "I want to speak to someone", CallStaff()),
        (Step.GREETING, "habla espanol", Language("es")),
        (Step.GREETING, "english please", Language("en")),
        (Step.CONFIRM, "yes that's me", Yes()),
        (Step.CONFIRM, "that's correct", Yes()),
        (Step.CONFIRM, "absolutely", Yes()),
        (Step.CONFIRM, "no that's not right", No()),
        (Step.CONFIRM, "that's not me", No()),
        (Step.CONFIRM, "nah", No()),
        (Step.CONFIRM, "wrong person", No()),
        (Step.RETRY, "let me try again", Yes()),
        (Step.OUTCOME, "I'll just wait here", Choice("waiting_late")),
        (Step.OUTCOME, "I'll come back later", Choice("return_later")),
        (Step.OUTCOME, "can I see a different doctor", Choice("other_provider")),
        (Step.OUTCOME, "I'd like a new appointment", Choice("reschedule")),
        (Step.OUTCOME, "I'll go to the desk", Choice("front_desk")),
        (Step.OUTCOME, "I don't understand", Help()),
        (Step.OUTCOME, "I'll go to reception", Choice("front_desk")),
        (Step.OUTCOME, "let me talk to the receptionist", Choice("front_desk")),
        (Step.CONFIRM, "no I don't think so", No()),
        (Step.GREETING, "i'm not sure what to do", Help()),
        (Step.CONFIRM, "that's wrong", No()),
    ],
)
def test_matcher_understands_paraphrases(step: Step, text: str, intent: object) -> None:
    assert match_intent(text, step, options=OPTIONS) == intent


@pytest.mark.parametrize(
    ("step", "text"),
    [
        (Step.GREETING, "what's the wifi password"),
        (Step.GREETING, "where is the bathroom"),
        (Step.CONFIRM, "is there parking here"),
        (Step.OUTCOME, "the weather is nice today"),
        (Step.CONFIRM, "yes no"),  # two meanings: ask again
        (Step.OUTCOME, "I'll wait or come back later"),
        (Step.GREETING, ""),
        (Step.GREETING, "can you get so don't the"),  # "don't" alone is no "no"
        (Step.CONFIRM, "i don't know if that's right"),
        (Step.GREETING, "what what i wrong"),  # "wrong" is a no only where something is checked
        (Step.CONFIRM, "where isn't go to"),  # "where is the bathroom" as the open pass heard it
        (Step.CONFIRM, "is that right"),  # a question, not an agreement
        (Step.CONFIRM, "and correct"),  # "incorrect" as Whisper heard it (held-out, both passes "yes")
        (Step.CONFIRM, "that correct"),  # the same clip at 10 dB
        (Step.CHOOSE_NAME, "who is that no"),
    ],
)
def test_matcher_rejects_what_means_nothing_here(step: Step, text: str) -> None:
    assert match_intent(text, step, options=OPTIONS) is None


def test_matcher_finds_a_listed_first_name_among_other_words() -> None:
    phrases = build_grammar(Step.CHOOSE_NAME, ["Diego", "Maria"], today=TODAY).phrases
    assert match_intent("uh diego", Step.CHOOSE_NAME, phrases) == Name("Diego")
    assert match_intent("maria please", Step.CHOOSE_NAME, phrases) == Name("Maria")
    assert match_intent("maria or diego", Step.CHOOSE_NAME, phrases) is None  # two: ask again
    assert match_intent("this is kevin", Step.CHOOSE_NAME, phrases) is None  # not on the list


def test_matcher_fuzzy_matches_grammar_phrases() -> None:
    phrases = build_grammar(Step.GREETING).phrases
    assert match_intent("i'm here to check it", Step.GREETING, phrases) == CheckIn()
    assert match_intent("yes please", Step.GREETING, phrases) == Yes()


def test_day_vocabulary_from_the_hub_csv_and_lists(tmp_path: Path) -> None:
    csv = tmp_path / "today.csv"
    csv.write_text(
        "id,provider_id,start,duration_min,first_name,last_name,dob,code\n"
        "a1,chen,2025-06-02T09:00,15,Maria,Lopez,1984-03-07,111\n"
        "a2,chen,2025-06-03T09:00,15,Ann,Other,1990-01-01,222\n"
    )
    names, dobs = day_vocabulary(csv, ["James"], ["1975-07-21"], TODAY)
    assert names == ["James", "Maria"]
    assert dobs == (date(1975, 7, 21), date(1984, 3, 7))
    csv.write_text("first_name\nMaria\n")
    with pytest.raises(SpeechError, match="no column dob"):
        day_vocabulary(csv, [], [], TODAY)
    with pytest.raises(SpeechError, match="not a YYYY-MM-DD"):
        day_vocabulary(None, [], ["03/07/1984"], TODAY)


# --- the real recognizer: out-of-domain speech is not acted on ------------------------------

_OOD = [
    (Step.GREETING, "what's the wifi password"),
    (Step.CONFIRM, "where is the bathroom"),
    (Step.OUTCOME, "i'm just waiting for my wife"),
    (Step.CONFIRM, "one two three four"),
    (Step.DATE_OF_BIRTH, "the weather is nice today"),
]


def test_out_of_domain_speech_is_never_acted_on(say: Say, pocketsphinx: PocketsphinxRecognizer) -> None:
    listener = Listener(pocketsphinx)
    acted = []
    for step, text in _OOD:
        for voice in ("en-us", "en-gb"):
            heard = listener.listen(WavSource(say(text, voice, 160)), grammar_for(step), TODAY)
            print(step.value, voice, repr(text), heard.status, repr(heard.text), heard.evidence)
            if heard.intent is not None:
                acted.append((step.value, voice, text, heard.text))
    assert not acted


def test_clear_answers_are_acted_on_with_their_evidence(
    say: Say, pocketsphinx: PocketsphinxRecognizer
) -> None:
    listener = Listener(pocketsphinx)
    for step, text, intent in [(Step.GREETING, "yes please", Yes()), (Step.CONFIRM, "no", No())]:
        heard = listener.listen(WavSource(say(text, "en-us", 160)), grammar_for(step), TODAY)
        assert heard.intent == intent, heard
        assert heard.decision == ACT and heard.evidence.confidence is not None


def test_cli_listen_prints_confidence_and_decision(
    say: Say, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    wav = tmp_path / "yes.wav"
    write_wav(wav, say("yes"))
    csv = tmp_path / "today.csv"
    csv.write_text("id,provider_id,start,duration_min,first_name,last_name,dob,code\n"
                   "a1,chen,2025-06-02T09:00,15,Maria,Lopez,1984-03-07,111\n")  # fmt: skip
    args = parser.parse_args(
        ["speech", "listen", "--wav", str(wav), "--step", "greeting", "--engine", "pocketsphinx",
         "--schedule", str(csv), "--dobs", "1975-07-21", "--today", "2025-06-02"]
    )  # fmt: skip
    args.config = None
    assert args.handler(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["intent"] == {"type": "Yes"} and out["would"] == "act" and out["decision"] == "act"
    assert isinstance(out["confidence"], float)
    write_wav(wav, say("what's the wifi password"))
    assert args.handler(args) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["would"] == "re-prompt" and out["intent"] is None
