"""``devtools.voice_misses`` sorts each miss by its cause: Whisper's words, the matcher, the
grammar pass's veto, or a wrong action."""

from __future__ import annotations

from datetime import date

import pytest

from devtools.bench_whisper import Heard2
from devtools.voice_corpus.manifest import Clip
from devtools.voice_misses import breakdown, cause
from speech.confidence import Evidence
from speech.grammar import build_grammar
from speech.intents import Intent, Name, Step, Yes
from speech.recognizer import Hypothesis

_DAY = date(2026, 12, 7)


def _heard(said: str, label: str, step: Step, transcript: str, guess: Intent | None) -> Heard2:
    clip = Clip(
        wav="x.wav", text=said, step=step.value, intent=label, synth="espeak-ng", voice="en-us", rate=160,
        condition="clean", snr_db=None, split="tune", today=_DAY.isoformat(), dobs=(),
        names=("Maria", "Liam"), dob_booked=None, out_of_domain=label == "reject",
    )  # fmt: skip
    grammar = build_grammar(step, ["Maria", "Liam"], today=_DAY)
    whisper = Hypothesis(transcript, "whisper", avg_logprob=-0.2, no_speech_prob=0.05, compression_ratio=1.0)
    return Heard2(clip, grammar, guess, Evidence(), whisper, 0.0)


@pytest.mark.parametrize(
    ("heard", "why"),
    [
        (_heard("yes", "yes", Step.CONFIRM, "Yes.", Yes()), ""),
        (_heard("maria", "name:Maria", Step.CHOOSE_NAME, "Maria.", Name("Liam")), "vetoed_grammar"),
        (_heard("call staff", "call_staff", Step.GREETING, "Cultiv.", None), "wrong_transcript"),
        (_heard("what", "help", Step.GREETING, "What?", None), "matcher"),
        (_heard("wrong person", "no", Step.CONFIRM, "Right, person.", Yes()), "wrong_action"),
    ],
)
def test_each_miss_has_one_cause(heard: Heard2, why: str) -> None:
    assert cause(heard) == why


def test_the_breakdown_counts_in_domain_clips_by_cause_step_and_room() -> None:
    clips = [
        _heard("yes", "yes", Step.CONFIRM, "Yes.", Yes()),
        _heard("call staff", "call_staff", Step.GREETING, "Cultiv.", None),
        _heard("the weather", "reject", Step.GREETING, "The weather.", None),  # out of domain: not sorted
    ]
    found = breakdown(clips)
    assert found["clips"] == 2
    assert found["causes"] == {"right": 1, "wrong_transcript": 1}
    assert found["by_step"] == {"confirm": {"right": 1}, "greeting": {"wrong_transcript": 1}}
    assert found["by_room"] == {"clean": {"right": 1, "wrong_transcript": 1}}
