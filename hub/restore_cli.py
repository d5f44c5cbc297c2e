"""``kiosk hub restore BACKUP``: put a backup copy of the hub's database in place, under a
new epoch (``hub/epoch.py``), with the hub stopped.

A backup is older than what the kiosks hold: its status and schedule versions restarted
below theirs. A new epoch makes every kiosk take the restored state (and send the hub
again the check-ins of the day it holds, which the backup may lack). The running hub would
find out by itself too (it reads its retained state back from the broker), but not when
the broker was restored or reinstalled with it; this way does not depend on that.

The new epoch is above the backup's and above that of the database it replaces. The
backup must open with the hub's key (``[hub] store_key_command``, or ``store.key``
beside the database; the backup's own key file with ``--key-file``). The database it
replaces is kept beside it as ``hub.sqlite.pre-restore``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from config import load_settings
from core.clock import SystemClock
from core.errors import ConfigError, StorageError
from hub.epoch import RESTORED
from hub.store import HubStore
from sync import messages as m
from sync.vault import STORE_KEY_NAME, KeySource, store_key_source

_WAL = ("-wal",)
_SIDE = ("-wal", "-shm")


def add_command(sub: Any) -> None:
    restore = sub.add_parser(
        "restore", help="put a backup of the hub's database in place, under a new epoch (hub stopped)"
    )
    restore.add_argument("backup", help="the backup's hub.sqlite (its -wal beside it is taken too)")
    restore.add_argument("--key-file", default="", help="the backup's key file, when not the hub's store.key")
    restore.set_defaults(handler=_restore)


def restore(db_path: Path, backup: Path, key: KeySource, key_file: Path | None = None) -> str:
    """Restore ``backup`` as ``db_path``; the new epoch, as text."""
    if not backup.is_file():
        raise ConfigError(f"{backup}: no such backup file")
    if backup.resolve() == db_path.resolve():
        raise ConfigError(f"{backup}: that is the hub's database itself")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    replaced = _epoch_of(db_path, key)
    staged = db_path.with_name(db_path.name + ".restoring")
    _copy(backup, staged)
    if key_file is not None:
        shutil.copy2(key_file, db_path.parent / STORE_KEY_NAME)
        os.chmod(db_path.parent / STORE_KEY_NAME, 0o600)
    try:
        store = HubStore.open(staged, key=key)  # proves the key; migrates an older backup
    except StorageError:
        _remove(staged)
        raise
    try:
        with store.transaction():
            epoch = store.epochs.start(SystemClock().now(), RESTORED, above=replaced)
    finally:
        store.close()
    if db_path.exists():
        _move(db_path, db_path.with_name(db_path.name + ".pre-restore"))
    _move(staged, db_path)
    return str(epoch)


def _epoch_of(db_path: Path, key: KeySource) -> m.Epoch:
    """The epoch of the store being replaced (the restored one starts above it), or none
    when there is none or it does not open (a broken store is what one restores over)."""
    if not db_path.exists():
        return m.Epoch()
    try:
        store = HubStore.open(db_path, readonly=True, key=key)
    except StorageError:
        return m.Epoch()
    try:
        return store.epochs.current()
    except Exception:  # noqa: BLE001 - an old or damaged store: the backup's own epochs decide
        return m.Epoch()
    finally:
        store.close()


def _copy(source: Path, target: Path) -> None:
    _remove(target)
    for suffix in ("", *_WAL):
        if Path(f"{source}{suffix}").exists():
            shutil.copy2(f"{source}{suffix}", f"{target}{suffix}")


def _move(source: Path, target: Path) -> None:
    """A database and its WAL (a stale -shm is dropped: SQLite makes a new one)."""
    _remove(target)
    os.replace(source, target)
    for suffix in _WAL:
        if Path(f"{source}{suffix}").exists():
            os.replace(f"{source}{suffix}", f"{target}{suffix}")
    Path(f"{source}-shm").unlink(missing_ok=True)


def _remove(path: Path) -> None:
    for suffix in ("", *_SIDE):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _restore(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    db_path = Path(settings.hub.state_dir) / "hub.sqlite"
    key_file = Path(args.key_file) if args.key_file else None
    epoch = restore(db_path, Path(args.backup), store_key_source(settings, db_path), key_file)
    sys.stdout.write(
        f"{db_path}: restored from {args.backup} under the new epoch {epoch}\n"
        "  start the hub: every kiosk follows the new epoch and takes the restored state\n"
    )
    return 0


__all__ = ["add_command", "restore"]
