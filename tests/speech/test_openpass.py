"""The open pass: the bigram model's arithmetic (pure), the step's sentences, the decision on
its sentence, the loudness gate of ``unexplained``, and the real recognizer hearing a
paraphrase the flat grammar does not list."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from devtools.voice_corpus.plan import assign_splits, wording_key
from devtools.voice_corpus.wordings import wordings
from speech.confidence import Bars, Evidence, Thresholds
from speech.denoise import Denoiser
from speech.grammar import build_grammar
from speech.intents import CallStaff, Choice, No, Step, Yes
from speech.listener import ListenConfig, Listener, WavSource
from speech.ngram import arpa_bigram
from speech.openpass import open_decision, step_sentences
from speech.pocketsphinx_engine import PocketsphinxRecognizer, voiced_frames
from tests.speech.corpus import OPTIONS, TODAY, grammar_for
from tests.speech.scripted import Say


def _parse_arpa(text: str) -> tuple[dict[str, tuple[float, float]], dict[tuple[str, str], float]]:
    uni: dict[str, tuple[float, float]] = {}
    bi: dict[tuple[str, str], float] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("\\"):
            section = line
            continue
        parts = line.split("\t")
        if section == "\\1-grams:" and len(parts) >= 2:
            uni[parts[1]] = (float(parts[0]), float(parts[2]) if len(parts) > 2 else 0.0)
        elif section == "\\2-grams:" and len(parts) == 2:
            h, w = parts[1].split()
            bi[(h, w)] = float(parts[0])
    return uni, bi


def test_every_history_of_the_bigram_model_sums_to_one() -> None:
    text = arpa_bigram(["check in", "i want to check in", "call staff", "i need help", "help"])
    uni, bi = _parse_arpa(text)
    assert "ngram 1=11" in text and uni["<s>"][0] == -99.0
    assert math.isclose(sum(10**p for w, (p, _b) in uni.items() if w != "<s>"), 1.0, rel_tol=1e-3)
    listed: dict[str, set[str]] = defaultdict(set)
    for h, w in bi:
        listed[h].add(w)
    for h, words in listed.items():
        total = sum(10 ** bi[(h, w)] for w in words)
        total += 10 ** uni[h][1] * sum(10**p for w, (p, _b) in uni.items() if w not in words and w != "<s>")
        assert math.isclose(total, 1.0, rel_tol=1e-3), h
    with pytest.raises(ValueError, match="no sentence"):
        arpa_bigram(["", "  "])


def test_step_sentences_come_from_the_kiosk_and_leave_dates_to_the_grammar() -> None:
    greeting = step_sentences(build_grammar(Step.GREETING))
    assert "talk to a person" in greeting and "appointment" in greeting and "can i" in greeting
    assert step_sentences(grammar_for(Step.DATE_OF_BIRTH)) == []
    assert step_sentences(build_grammar(Step.GREETING, lang="es")) == []
    outcome = step_sentences(grammar_for(Step.OUTCOME), OPTIONS)
    assert "another day" in outcome and "check in" not in outcome


def test_held_out_wordings_are_not_written_into_the_open_pass() -> None:
    """The open pass is built from the kiosk's lists; a held-out wording in it must also be a
    phrase the grammar lists, a single keyword of the matcher, or "uh huh" (a matcher phrase
    from before this check; docs/speech.md names the overlap)."""
    split = assign_splits(wordings())
    for w in wordings():
        if split[wording_key(w)] != "heldout" or w.kind != "speech" or w.step is Step.DATE_OF_BIRTH:
            continue
        grammar = grammar_for(w.step)
        sentences = set(step_sentences(grammar, OPTIONS))
        if w.text in sentences:
            assert w.text in grammar.phrases or len(w.text.split()) == 1 or w.text == "uh huh", w.text


_BARS = Thresholds(Bars(-8.0), Bars(-8.0))
_LAX = Thresholds(Bars(-15.0), Bars(-10.0))


def test_an_open_sentence_acts_only_with_one_meaning_and_enough_confidence() -> None:
    greeting = grammar_for(Step.GREETING)
    sure, weak = Evidence(0.0), Evidence(-20.0)
    assert open_decision(greeting, "can i talk to a person", sure, _BARS, OPTIONS) == CallStaff()
    assert open_decision(greeting, "can i talk to a person", weak, _BARS, OPTIONS) is None
    assert open_decision(greeting, "", sure, _BARS, OPTIONS) is None
    assert open_decision(greeting, "where is the the", sure, _BARS, OPTIONS) is None
    assert open_decision(greeting, "yes no", sure, _BARS, OPTIONS) is None
    confirm = grammar_for(Step.CONFIRM)
    assert open_decision(confirm, "that's not me", Evidence(-5.0), _BARS, OPTIONS) == No()
    assert open_decision(confirm, "yes it is", Evidence(-12.0), _LAX, OPTIONS) is None  # consequential
    outcome = grammar_for(Step.OUTCOME)
    assert open_decision(outcome, "another day please", sure, _BARS, OPTIONS) == Choice("reschedule")
    assert open_decision(grammar_for(Step.RETRY), "sure", sure, _BARS, OPTIONS) == Yes()


def test_room_noise_is_not_speech_for_unexplained() -> None:
    rng = np.random.default_rng(3)
    quiet = rng.normal(0, 30, 16000)
    word = np.sin(np.arange(8000) * 0.2) * 8000
    pcm = np.concatenate([quiet, word, quiet]).astype("<i2").tobytes()
    voiced = voiced_frames(pcm, 250)
    assert len(voiced) == 251
    assert sum(voiced[:95]) == 0 and sum(voiced[105:145]) == 40 and sum(voiced[155:]) == 0


def test_the_denoiser_keeps_the_frames_and_quiets_steady_noise() -> None:
    rng = np.random.default_rng(5)
    noise = np.clip(rng.normal(0, 1500, 48000), -32768, 32767).astype(np.int16)
    denoiser = Denoiser()
    out = np.concatenate([denoiser.process(f) for f in np.split(noise, 100)])  # 30 ms frames
    assert len(out) == len(noise) and out.dtype == np.int16
    assert np.std(out[8000:].astype(float)) < np.std(noise.astype(float)) / 20  # hiss: gone
    denoiser.reset()
    assert len(denoiser.process(noise[:480])) == 480
    denoiser.close()


def test_a_paraphrase_the_grammar_lacks_is_heard_by_the_open_pass(say: Say) -> None:
    """ "talk to a human" is no grammar phrase: the open pass hears its words, the matcher maps
    them; at the tuned bars (-4) espeak-ng's sentence (about -10) is re-prompted, not guessed."""
    grammar = grammar_for(Step.GREETING)
    assert "talk to a human" not in grammar.phrases
    clip = WavSource(say("talk to a human", "en-us", 160))
    heard = Listener(PocketsphinxRecognizer()).listen(clip, grammar, TODAY)
    print(heard)
    assert "human" in heard.open_text and heard.intent in (None, CallStaff())
    lax = Listener(PocketsphinxRecognizer(), config=ListenConfig(open_bars=_LAX)).listen(clip, grammar, TODAY)
    assert lax.intent == CallStaff() and lax.via in ("open", "grammar"), lax


def test_a_recognizer_without_an_open_pass_is_judged_by_its_grammar_alone() -> None:
    """vosk has no open pass: its clear "yes" is acted on. A recognizer that has one but
    heard nothing there (or heard something else) is not."""
    from speech.confidence import ACT
    from speech.openpass import combine

    grammar = build_grammar(Step.GREETING)
    heard = {"decision": ACT, "open_evidence": Evidence(None), "bars": _BARS}
    assert combine(grammar, Yes(), open_text="", open_pass=False, **heard) == (Yes(), "grammar")  # type: ignore[arg-type]
    assert combine(grammar, Yes(), open_text="", **heard) == (None, "")  # type: ignore[arg-type]
    assert combine(grammar, Yes(), open_text="no thanks", **heard) == (None, "")  # type: ignore[arg-type]


def test_a_metered_recognizer_keeps_the_open_pass_it_wraps(say: Say) -> None:
    """The face's meter wraps the kiosk's recognizer: what the listener acts on must not change."""
    from core.clock import SystemClock
    from speech.activity import MeteredRecognizer, VoiceMeter
    from speech.tts import HalfDuplex

    recognizer = MeteredRecognizer(PocketsphinxRecognizer(), VoiceMeter(SystemClock()))
    assert callable(getattr(recognizer, "open_pass", None))
    heard = Listener(recognizer, HalfDuplex()).listen(
        WavSource(say("yes please")), build_grammar(Step.GREETING), TODAY
    )
    assert heard.intent == Yes() and heard.open_text


def test_two_pass_rules_relieve_agreement_and_let_a_sure_open_pass_overrule_a_doubtful_grammar() -> None:
    from speech.confidence import ACT, REPROMPT
    from speech.openpass import TwoPass, combine

    grammar = grammar_for(Step.OUTCOME)
    stay = Choice("waiting_late")
    doubtful = Evidence(-14.0, 0.2, None)  # fails the ordinary bars (-10, 0.1)
    heard = {"open_evidence": Evidence(2.0), "bars": _BARS, "evidence": doubtful}
    agree = Thresholds(Bars(-20.0, 0.5), Bars(-10.0, 0.5), Bars(5.0, 0.1, 1.0))
    # both passes mean "wait"; the grammar's doubt is relieved only by the agreement bars
    plain = TwoPass()  # no relief, no overruling
    same = combine(grammar, stay, decision=REPROMPT, open_text="i can wait", rules=plain, **heard)  # type: ignore[arg-type]
    assert same == (stay, "open")  # the open pass clears its own bar with the same meaning
    relief = TwoPass(agree=agree)
    relieved = combine(grammar, stay, decision=REPROMPT, open_text="i can wait", rules=relief, **heard)  # type: ignore[arg-type]
    assert relieved == (stay, "grammar")
    # they disagree: the grammar's doubt vetoes, unless the open pass overrules it by the margin
    other = {"decision": REPROMPT, "open_text": "i'll come back later", **heard}
    back = Choice("return_later")
    assert combine(grammar, stay, rules=plain, **other) == (None, "")  # type: ignore[arg-type]
    assert combine(grammar, stay, rules=TwoPass(overrule=10.0), **other) == (back, "open")  # type: ignore[arg-type]
    assert combine(grammar, stay, rules=TwoPass(overrule=20.0), **other) == (None, "")  # type: ignore[arg-type]
    # a grammar guess that clears its bars is never overruled
    sure = {**other, "decision": ACT}
    assert combine(grammar, stay, rules=TwoPass(overrule=0.0), **sure) == (None, "")  # type: ignore[arg-type]


def test_a_short_name_list_is_the_grammars_unless_the_open_pass_heard_no_sentence_of_the_step() -> None:
    from speech.confidence import ACT
    from speech.intents import Name
    from speech.openpass import SMALL_NAME_OPEN_BAR, combine

    grammar = build_grammar(Step.CHOOSE_NAME, ["Victor", "Maria", "Omar"], today=TODAY)
    victor = Name("Victor")
    heard = {"decision": ACT, "bars": _BARS}
    fits = Evidence(SMALL_NAME_OPEN_BAR + 1.0)
    said = combine(grammar, victor, open_text="i'm victor", open_evidence=fits, **heard)  # type: ignore[arg-type]
    assert said == (victor, "grammar")
    assert combine(grammar, victor, open_text="uh", open_evidence=fits, **heard) == (victor, "grammar")  # type: ignore[arg-type]
    # "where are the elevators": the grammar found "i'm victor", the open pass fits nothing of the step
    far = Evidence(SMALL_NAME_OPEN_BAR - 1.0)
    assert combine(grammar, victor, open_text="where i'd victor is", open_evidence=far, **heard) == (None, "")  # type: ignore[arg-type]
    assert combine(grammar, victor, open_text="maria", open_evidence=fits, **heard) == (None, "")  # type: ignore[arg-type]
