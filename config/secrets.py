"""Secret files named by the settings (the broker password, database keys): read with their
mode checked, from ``$CREDENTIALS_DIRECTORY`` when systemd passed them (``LoadCredential=``),
so they can stay root-only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from core.errors import ConfigError


def readable_path(path: Path) -> Path:
    """``$CREDENTIALS_DIRECTORY/<name>`` when systemd passed the file there, else ``path``."""
    creds = os.environ.get("CREDENTIALS_DIRECTORY")
    if creds:
        passed = Path(creds) / path.name
        if passed.is_file():
            return passed
    return path


def secret_mode_problem(path: Path) -> str:
    """Why a secret file's mode is unsafe ("" when it is 0600 or stricter, or missing)."""
    try:
        mode = stat.S_IMODE(readable_path(path).stat().st_mode)
    except OSError:
        return ""
    if mode & stat.S_IROTH:
        return f"{path} is world-readable (mode {mode:04o}): run `chmod 600 {path}`"
    if mode & 0o077:
        return f"{path} is open to its group (mode {mode:04o}): run `chmod 600 {path}`"
    return ""


def read_secret(path: Path, what: str) -> str:
    """A secret file's contents, stripped: ``ConfigError`` naming the file when it is
    missing, unreadable, empty or world-readable."""
    source = readable_path(path)
    try:
        mode = stat.S_IMODE(source.stat().st_mode)
        if mode & stat.S_IROTH:
            raise ConfigError(f"{path}: the {what} file is world-readable (mode {mode:04o}); chmod 600 it")
        text = source.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"{path}: the {what} file is missing") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what} file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the {what} file is not text") from None
    if not text:
        raise ConfigError(f"{path}: the {what} file is empty")
    return text
