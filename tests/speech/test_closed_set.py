"""Whisper's margin over the step's closed set (``speech.closed_set``): what it is compared with,
and on real espeak-ng speech through the real tiny.en model, what it confirms and refuses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from speech.agreement import weigh
from speech.bilingual import BilingualRecognizer
from speech.closed_set import date_slips, judge, rivals, written_date
from speech.grammar import build_grammar
from speech.intents import DateOfBirth, Name, No, Step, Yes
from speech.listener import ListenConfig, Listener, WavSource
from speech.recognizer import Hypothesis
from speech.whisper_engine import WhisperRecognizer
from speech.whisper_es import SpanishWhisper
from tests.speech.corpus import TODAY
from tests.speech.scripted import Say

_NAMES = ["Liam", "Maria", "Lucas"]


def test_rivals_are_the_steps_other_answers_and_a_dates_slips() -> None:
    names = build_grammar(Step.CHOOSE_NAME, _NAMES, today=TODAY)
    found = rivals(names, "Maria, please.", Name("Maria"))
    assert {"Liam", "Lucas"} <= {w.strip(".") for r in found for w in r.split()}
    assert not any("maria" in r.lower() for r in found)  # never the answer itself
    dates = build_grammar(Step.DATE_OF_BIRTH, today=TODAY, dobs=[date(1956, 10, 19)])
    heard = DateOfBirth(date(1988, 10, 9))
    found = rivals(dates, "October 9th, 1988.", heard, guess=DateOfBirth(date(1956, 10, 19)))
    assert found[0] == written_date(date(1956, 10, 19)) == "October 19, 1956."  # the grammar's
    assert "October 19, 1988." in found and "October 29, 1988." in found
    assert date_slips(date(1990, 2, 25)) == [date(1990, 2, 5), date(1990, 2, 15)]  # no 35th


def test_the_transcript_must_beat_the_best_rival_by_the_margin() -> None:
    confirm = build_grammar(Step.CONFIRM, _NAMES, today=TODAY)

    def score(texts: Sequence[str]) -> list[float]:
        return [-2.0 if t.startswith("Right") else -3.5 if "wrong" in t.lower() else -20.0 for t in texts]

    verdict = judge(confirm, "Right.", Yes(), score)
    assert verdict is not None and verdict.margin == pytest.approx(1.5)
    assert "wrong" in verdict.rival_text.lower() and not verdict.confirms()
    sure = Hypothesis("Right.", "whisper", avg_logprob=-0.2, no_speech_prob=0.05, compression_ratio=1.0)
    # a "yes" to an identity needs both passes, whatever the margin; the closed set may veto it
    assert weigh(confirm, No(), sure, TODAY, closed_margin=60.0) == (None, "")
    assert weigh(confirm, Yes(), sure, TODAY, closed_margin=1.5) == (None, "")
    assert weigh(confirm, Yes(), sure, TODAY, closed_margin=6.0) == (Yes(), "both")
    # a first name the grammar pass did not hear: the closed set's margin decides
    names = build_grammar(Step.CHOOSE_NAME, _NAMES, today=TODAY)
    maria = Hypothesis("Maria.", "whisper", avg_logprob=-0.2, no_speech_prob=0.05, compression_ratio=1.0)
    assert weigh(names, Name("Liam"), maria, TODAY, closed_margin=2.0) == (None, "")
    assert weigh(names, Name("Liam"), maria, TODAY, closed_margin=6.0) == (Name("Maria"), "closed_set")
    # never for a birth date, whatever the margin
    dates = build_grammar(Step.DATE_OF_BIRTH, today=TODAY, dobs=[date(1956, 10, 19)])
    said = Hypothesis(
        "October 9th, 1988.", "whisper", avg_logprob=-0.1, no_speech_prob=0.0, compression_ratio=1.0
    )
    assert weigh(dates, DateOfBirth(date(1956, 10, 19)), said, TODAY, closed_margin=50.0) == (None, "")


# --- the real model on real synthesized speech ----------------------------------------------


@pytest.fixture
def whisper(whisper_model: Path) -> WhisperRecognizer:
    return WhisperRecognizer(whisper_model, threads=2)


def _heard(whisper: WhisperRecognizer, say: Say, text: str, step: Step) -> None:
    grammar = build_grammar(step, _NAMES, ["Dr. Okafor"], "en", TODAY)
    Listener(whisper, config=ListenConfig(timeout_s=6.0)).listen(WavSource(say(text)), grammar, TODAY)


def test_a_name_said_beats_the_other_names_and_wrong_person_is_no_yes(
    whisper: WhisperRecognizer, say: Say
) -> None:
    names = build_grammar(Step.CHOOSE_NAME, _NAMES, today=TODAY)
    _heard(whisper, say, "maria", Step.CHOOSE_NAME)
    verdict = judge(names, "Maria.", Name("Maria"), whisper.score_texts)
    assert verdict is not None and verdict.confirms(), verdict
    wrong = judge(names, "Liam.", Name("Liam"), whisper.score_texts)  # a name not said
    assert wrong is not None and not wrong.confirms(), wrong
    confirm = build_grammar(Step.CONFIRM, _NAMES, today=TODAY)
    _heard(whisper, say, "wrong person", Step.CONFIRM)
    misheard = judge(confirm, "Right, person.", Yes(), whisper.score_texts)
    assert misheard is not None and not misheard.confirms(), misheard
    _heard(whisper, say, "incorrect", Step.CONFIRM)
    slip = judge(confirm, "And correct.", Yes(), whisper.score_texts)  # held-out: both passes said yes
    assert slip is not None and not slip.confirms(), slip


def test_scores_belong_to_the_utterance_just_heard(whisper: WhisperRecognizer) -> None:
    whisper.set_grammar(build_grammar(Step.CONFIRM, _NAMES, today=TODAY))
    whisper.start()
    assert whisper.score_texts(["Yes."]) == [float("-inf")]  # nothing transcribed yet


def test_the_bilingual_recognizer_keeps_the_closed_set_at_english_steps(
    whisper: WhisperRecognizer, say: Say
) -> None:
    """With the Spanish model installed the kiosk's recognizer is ``BilingualRecognizer``; the
    listener finds the closed set's scoring through it (else the check would silently vanish)."""

    def no_spanish() -> SpanishWhisper:
        raise AssertionError("no Spanish model is loaded for English speech")

    bilingual = BilingualRecognizer(whisper, no_spanish)
    grammar = build_grammar(Step.CHOOSE_NAME, _NAMES, ["Dr. Okafor"], "en", TODAY)
    heard = Listener(bilingual, config=ListenConfig(timeout_s=6.0)).listen(
        WavSource(say("maria")), grammar, TODAY
    )
    assert heard.closed_margin is not None, heard
    assert bilingual.score_texts(["Maria."]) == whisper.score_texts(["Maria."])
