"""Three synthesizers from Debian packages, each with several voices, at several rates.

* espeak-ng (``espeak-ng``): formant synthesis, the voice the kiosk itself speaks with.
* flite (``flite``): CMU's small engine, diphone and unit-selection voices.
* festival (``festival`` + ``festvox-kallpc16k``, ``festvox-kdlpc16k``, ``festvox-us-slt-hts``):
  diphone voices and an HTS (statistical parametric) voice.

``rate`` is words per minute: espeak-ng takes it as is; flite and festival stretch their
voice's own pace (about ``BASE_WPM``) by ``BASE_WPM / rate``. Each backend says whether it
is installed (``missing()``); the generator skips one that is not, with that reason.
Every call returns 16 kHz mono ``Audio`` (``speech.audio``).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import SpeechError
from speech.audio import Audio, read_wav

RATE_HZ = 16000
BASE_WPM = 165
TIMEOUT_S = 30.0
FESTIVAL_VOICES = Path("/usr/share/festival/voices")


@dataclass(frozen=True)
class Voice:
    synth: str
    voice: str
    heldout: bool = False  # one voice per synthesizer is never tuned on


@dataclass(frozen=True)
class Backend:
    """One synthesizer: its program, its voices (one held out) and the Debian packages."""

    name: str
    program: str
    voices: tuple[str, ...]
    heldout_voice: str
    packages: tuple[str, ...]

    def voice_list(self) -> list[Voice]:
        return [Voice(self.name, v, v == self.heldout_voice) for v in self.voices]

    def missing(self) -> str:
        """Why this synthesizer cannot run here ('' when it can)."""
        if shutil.which(self.program) is None:
            need = " ".join(self.packages)
            return f"{self.name}: `{self.program}` is not installed (apt-get install {need})"
        return ""

    def voice_missing(self, voice: str) -> str:
        """Why one voice cannot run ('' when it can): festival voices are packages of their own."""
        if self.name != "festival":
            return ""
        if any(FESTIVAL_VOICES.glob(f"*/{voice}")):
            return ""
        return f"festival voice {voice} is not installed (apt-get install {' '.join(self.packages[1:])})"

    def synthesize(self, text: str, voice: str, rate: int) -> Audio:
        """``text`` spoken by ``voice`` at ``rate`` words per minute, at 16 kHz."""
        with tempfile.TemporaryDirectory(prefix="voice-corpus-") as tmp:
            out = Path(tmp) / "out.wav"
            _run(self._command(text, voice, rate, out), text if self.name == "festival" else None, self.name)
            audio = read_wav(out)
        if len(audio.samples) == 0:
            raise SpeechError(f"{self.name} {voice}: produced no audio")
        return audio.resampled(RATE_HZ)

    def _command(self, text: str, voice: str, rate: int, out: Path) -> list[str]:
        stretch = BASE_WPM / rate
        if self.name == "espeak-ng":
            return [self.program, "-v", voice, "-s", str(rate), "-w", str(out), text]
        if self.name == "flite":
            return [self.program, "-voice", voice, "--setf", f"duration_stretch={stretch:.3f}",
                    "-t", text, "-o", str(out)]  # fmt: skip
        if voice.endswith("_hts"):  # HTS voices ignore Duration_Stretch; hts_engine's -r is speed
            pace = f'(set! hts_engine_params (append hts_engine_params (list (list "-r" {1 / stretch:.3f}))))'
        else:
            pace = f"(Parameter.set 'Duration_Stretch {stretch:.3f})"
        return [self.program, "-eval", f"(voice_{voice})", "-eval", pace, "-o", str(out)]


def _run(cmd: list[str], stdin: str | None, name: str) -> None:
    try:
        done = subprocess.run(
            cmd, input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise SpeechError(f"{name}: no audio within {TIMEOUT_S:.0f} s") from None
    except OSError as exc:
        raise SpeechError(f"{name}: cannot run ({exc.strerror or exc})") from None
    if done.returncode != 0:
        raise SpeechError(f"{name}: exit status {done.returncode}: {done.stderr.strip()[:200]}")


BACKENDS = (
    Backend(
        "espeak-ng", "espeak-ng",
        ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp", "en-029", "en-us+m3", "en-gb-scotland+f2"),
        "en-gb-scotland+f2", ("espeak-ng",),
    ),
    Backend("flite", "flite", ("kal16", "awb", "slt", "rms"), "rms", ("flite",)),
    Backend(
        "festival", "text2wave", ("kal_diphone", "cmu_us_slt_arctic_hts", "ked_diphone"), "ked_diphone",
        ("festival", "festvox-kallpc16k", "festvox-kdlpc16k", "festvox-us-slt-hts"),
    ),
)  # fmt: skip
RATES = (135, 165, 195)


def backend(name: str) -> Backend:
    for b in BACKENDS:
        if b.name == name:
            return b
    raise SpeechError(f"no synthesizer {name!r} (have {', '.join(b.name for b in BACKENDS)})")


def available_voices(names: tuple[str, ...] = ()) -> tuple[list[Voice], list[str]]:
    """The voices that can run here (of the synthesizers ``names``, default all), and why others cannot."""
    voices: list[Voice] = []
    skipped: list[str] = []
    for b in BACKENDS:
        if names and b.name not in names:
            continue
        why = b.missing()
        if why:
            skipped.append(why)
            continue
        for v in b.voice_list():
            why = b.voice_missing(v.voice)
            if why:
                skipped.append(why)
            else:
                voices.append(v)
    return voices, skipped
