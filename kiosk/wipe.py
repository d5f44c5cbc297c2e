"""Erasing a unit: the revoked kiosk's wipe (cache and keys) and the factory reset (all of
it). Keys go first: once they are gone the database files are unreadable even where
flash storage keeps old blocks (crypto-erase); the files themselves go next, with every
file SQLite keeps beside them (``-wal``, ``-shm``, ``-journal``).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable
from pathlib import Path

from config.settings import Settings
from kiosk.provision import unit_file
from sync.cipher import remove_database_files
from sync.vault import cache_key_source, shred, store_key_source

# Where else a kiosk keeps files (systemd's RuntimeDirectory and CacheDirectory of
# kiosk.service) and where systemd-coredump would have put a dump of it (the unit sets
# LimitCORE=0, so there should be none).
SYSTEM_DIRS = (Path("/run/kiosk"), Path("/var/cache/kiosk"))
COREDUMP_DIR = Path("/var/lib/systemd/coredump")


def key_files(settings: Settings, hub: bool = True) -> list[Path]:
    """Every key file the settings name (with a rotation's pending next key)."""
    out = []
    sources = [cache_key_source(settings)] + ([store_key_source(settings)] if hub else [])
    for source in sources:
        for path in (source.file, source.pending_file):
            if path is not None and not source.command:
                out.append(path)
    return out


def wipe_kiosk(settings: Settings) -> list[str]:
    """A revoked kiosk: its keys, its broker password file, then its whole state directory
    (cache, outbox, counters). The config stays, so a technician sees which unit it was
    and provisions it again."""
    removed = [str(p) for p in _shred_all([*key_files(settings, hub=False), *_password_file(settings)])]
    state = Path(settings.kiosk.state_dir)
    removed += [str(p) for p in remove_database_files(state / "kiosk.sqlite")]
    removed += _empty_dirs([state])
    return removed


def factory_reset(
    settings: Settings,
    config_file: Path,
    system_dirs: Iterable[Path] = (),
    coredump_dir: Path | None = None,
) -> list[str]:
    """Remove credentials, keys, caches and all patient data; what was removed."""
    removed = [str(p) for p in _shred_all([*key_files(settings), *_password_file(settings)])]
    removed += _empty_dirs([Path(settings.kiosk.state_dir), Path(settings.hub.state_dir), *system_dirs])
    if coredump_dir is not None and coredump_dir.is_dir():
        for dump in coredump_dir.glob("core.kiosk*"):
            dump.unlink(missing_ok=True)
            removed.append(str(dump))
    # This unit's own files only: units provisioned into one folder name theirs after
    # their config (kiosk.provision.unit_file); another unit's are never touched.
    for name in ("ca.pem", "cert.pem", "key.pem", "mqtt.password", "cache.key"):
        path = unit_file(config_file, name)
        if path.exists():
            _remove(path)
            removed.append(str(path))
    if config_file.exists():
        config_file.unlink()
        removed.append(str(config_file))
    return removed


def _password_file(settings: Settings) -> list[Path]:
    return [Path(settings.broker.password_file)] if settings.broker.password_file else []


def _shred_all(paths: Iterable[Path]) -> list[Path]:
    done = []
    for path in paths:
        if path.is_file():
            shred(path)
            done.append(path)
    return done


def _empty_dirs(dirs: Iterable[Path]) -> list[str]:
    removed = []
    for target in dirs:
        if not target.is_dir():
            continue
        for child in sorted(target.iterdir()):
            _remove(child)
            removed.append(str(child))
    return removed


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.name.endswith((".key", ".password", ".key.new")):
            shred(path)
        else:
            path.unlink()


__all__ = ["COREDUMP_DIR", "SYSTEM_DIRS", "factory_reset", "key_files", "wipe_kiosk"]
