"""Open the hub's SQLite file, or say in one line why it cannot be opened.

The same discipline as the kiosk's cache (``sync.sqlite.open_database``: WAL, numbered
migrations, a newer schema refused, SQLCipher encryption), with errors a practice's IT can act on: every
``StorageError`` starts with the path and says what is wrong with it.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from core.errors import StorageError
from hub.migrations import HUB_MIGRATIONS
from sync.sqlite import open_database
from sync.vault import STORE_KEY_NAME, KeySource, default_key_source


def open_hub_database(
    path: Path, *, readonly: bool = False, key: KeySource | None = None
) -> sqlite_utils.Database:
    """``key`` defaults to ``store.key`` beside the file (``sync.vault``)."""
    if readonly:
        if not path.is_file():
            raise StorageError(f"{path}: no hub database here (has `kiosk hub run` run with this state_dir?)")
    else:
        _make_directory(path)
    try:
        source = key if key is not None else default_key_source(path, STORE_KEY_NAME)
        return open_database(path, HUB_MIGRATIONS, readonly=readonly, key=source)
    except StorageError as exc:
        raise StorageError(_explain(path, str(exc), readonly)) from exc


def _make_directory(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"{path}: cannot create the directory {path.parent}: {exc.strerror}") from exc
    if not path.parent.is_dir():
        raise StorageError(f"{path}: {path.parent} is not a directory")


def _explain(path: Path, detail: str, readonly: bool) -> str:
    """``path: what is wrong``; SQLite's own words are kept when nothing better is known."""
    detail = detail.removeprefix(f"{path}: ")
    wanted = os.R_OK if readonly else os.R_OK | os.W_OK
    if path.exists() and not os.access(path, wanted):
        return f"{path}: permission denied (this user may not {'read' if readonly else 'read and write'} it)"
    if not readonly and not os.access(path.parent, os.W_OK | os.X_OK):
        return f"{path}: permission denied on the directory {path.parent} (SQLite writes its journal there)"
    if "file is not a database" in detail:
        return f"{path}: not a SQLite database (file is not a database)"
    return f"{path}: {detail}"
