"""Where the key of an encrypted SQLite file comes from, and the secret files beside it.

A database key is 32 bytes derived (HMAC-SHA256 under a fixed label) from key material:
the contents of a key file (64 hex digits made by ``KeySource.create``) or what a
command prints (a KMS client, ``rpi-otp-private-key`` on a Raspberry Pi, a TPM unseal).
Derivation means the hardware's own secret is never the database key itself.

A key file is 0600 and is made only when its database is made: an existing encrypted
file whose key is missing is an error, never a new empty database. A rotation in
progress keeps the next key at ``<key>.new`` until the database is rewritten under it
(``sync.cipher``), so a crash at any point leaves one of the two keys opening the file.

Key files are read like every secret file (``config.secrets``: mode checked, systemd's
``$CREDENTIALS_DIRECTORY`` first).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from config.secrets import read_secret, readable_path, secret_mode_problem
from config.settings import Settings
from core.errors import StorageError

KEY_BYTES = 32
_LABEL = b"kiosk-database-key-v1"
_COMMAND_TIMEOUT_S = 30.0
CACHE_KEY_NAME = "cache.key"
STORE_KEY_NAME = "store.key"


@dataclass(frozen=True, repr=False)
class DatabaseKey:
    """The raw 256-bit key SQLCipher is given (no passphrase stretching at each open)."""

    raw: bytes

    def pragma(self) -> str:
        """The value of ``PRAGMA key`` / ``ATTACH ... KEY``: SQLCipher's raw-key form."""
        return f"x'{self.raw.hex()}'"

    def __repr__(self) -> str:
        return "DatabaseKey(<hidden>)"


def derive(material: bytes) -> DatabaseKey:
    if not material:
        raise StorageError("empty key material")
    return DatabaseKey(hmac.new(material, _LABEL, hashlib.sha256).digest())


@dataclass(frozen=True)
class KeySource:
    """A database's key: from ``file`` (made with the database) or printed by ``command``;
    ``plain`` for a file kept unencrypted (a setting turned off, a benchmark's baseline)."""

    file: Path | None = None
    command: str = ""
    plain: bool = False
    what: str = field(default="database key", compare=False)

    def describe(self) -> str:
        if self.plain:
            return "no key (encryption off)"
        return f"key command {self.command!r}" if self.command else f"key file {self.file}"

    @property
    def can_create(self) -> bool:
        return self.file is not None and not self.command and not self.plain

    @property
    def pending_file(self) -> Path | None:
        return None if self.file is None or self.command else self.file.with_name(self.file.name + ".new")

    def exists(self) -> bool:
        if self.command:
            return True
        return self.file is not None and readable_path(self.file).exists()

    def load(self) -> DatabaseKey:
        """The key now: ``ConfigError`` naming the file (missing, unreadable, world-readable)
        or ``StorageError`` naming the command (failed, silent) when it cannot be had."""
        if self.command:
            return derive(_run_key_command(self.command))
        if self.file is None:
            raise StorageError(f"no {self.what} configured")
        return derive(read_secret(self.file, self.what).encode())

    def load_pending(self) -> DatabaseKey | None:
        pending = self.pending_file
        if pending is None or not pending.exists():
            return None
        return derive(read_secret(pending, f"next {self.what}").encode())

    def create(self) -> DatabaseKey:
        """A new random key file (0600); refuses to replace one that exists."""
        if not self.can_create or self.file is None:
            raise StorageError(f"{self.describe()}: a key can only be made as a key file")
        if self.file.exists():
            raise StorageError(f"{self.file}: a key file is already there; refusing to replace it")
        write_secret(self.file, secrets.token_hex(KEY_BYTES) + "\n")
        return self.load()

    def stage_next(self) -> DatabaseKey:
        """Write the next key to ``<key>.new`` (a rotation's first, crash-safe step)."""
        pending = self.pending_file
        if pending is None:
            raise StorageError(f"{self.describe()}: only a key file can be rotated in place")
        write_secret(pending, secrets.token_hex(KEY_BYTES) + "\n")
        return derive(read_secret(pending, f"next {self.what}").encode())

    def commit_next(self) -> None:
        """The database opens with the next key: it becomes the key (atomic rename)."""
        pending = self.pending_file
        if pending is None or self.file is None or not pending.exists():
            return
        os.replace(pending, self.file)
        fsync_dir(self.file.parent)

    def erase(self) -> list[Path]:
        """Remove the key file and a pending next key (a wipe's first step: crypto-erase)."""
        removed = []
        for path in (self.file, self.pending_file):
            if path is not None and not self.command and path.exists():
                shred(path)
                removed.append(path)
        return removed


def cache_key_source(settings: Settings, db_path: Path | None = None) -> KeySource:
    """The kiosk cache's key: ``[kiosk] cache_key_command``, ``cache_key_file`` or, by
    default, ``cache.key`` beside the cache."""
    kiosk = settings.kiosk
    if not kiosk.encrypt_cache:
        return KeySource(plain=True)
    beside = (db_path.parent if db_path else Path(kiosk.state_dir)) / CACHE_KEY_NAME
    file = Path(kiosk.cache_key_file) if kiosk.cache_key_file else beside
    return KeySource(file=file, command=kiosk.cache_key_command, what="cache key")


def store_key_source(settings: Settings, db_path: Path | None = None) -> KeySource:
    """The hub store's key: ``[hub] store_key_command``, ``store_key_file`` or, by default,
    ``store.key`` beside the store."""
    hub = settings.hub
    if not hub.encrypt_store:
        return KeySource(plain=True)
    beside = (db_path.parent if db_path else Path(hub.state_dir)) / STORE_KEY_NAME
    file = Path(hub.store_key_file) if hub.store_key_file else beside
    return KeySource(file=file, command=hub.store_key_command, what="hub store key")


def default_key_source(db_path: Path, name: str = CACHE_KEY_NAME) -> KeySource:
    return KeySource(file=db_path.parent / name, what="database key")


# --- secret files ---------------------------------------------------------------------


def write_secret(path: Path, text: str, owner: str = "kiosk") -> None:
    """Write a secret file atomically, mode 0600; as root, owned by ``owner`` (the service's
    user, which must read it) when that user exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode())
        os.fsync(fd)
        if os.geteuid() == 0:
            import pwd

            with contextlib.suppress(KeyError):  # no such user: root-only is the safe default
                entry = pwd.getpwnam(owner)
                os.fchown(fd, entry.pw_uid, entry.pw_gid)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def shred(path: Path) -> None:
    """Overwrite then remove a small file (a key): best effort on flash, which remaps."""
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(secrets.token_bytes(max(size, 1)))
            fh.flush()
            os.fsync(fh.fileno())
    path.unlink(missing_ok=True)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _run_key_command(command: str) -> bytes:
    try:
        done = subprocess.run(  # noqa: S603 - the operator's own configured command
            shlex.split(command), capture_output=True, timeout=_COMMAND_TIMEOUT_S, check=False
        )
    except (OSError, ValueError) as exc:
        raise StorageError(f"key command {command!r} could not run: {exc}") from None
    except subprocess.TimeoutExpired:
        raise StorageError(f"key command {command!r} did not answer in {_COMMAND_TIMEOUT_S:.0f} s") from None
    if done.returncode != 0:
        raise StorageError(f"key command {command!r} failed (exit {done.returncode})")
    material = done.stdout.strip()
    if not material:
        raise StorageError(f"key command {command!r} printed no key")
    return material


__all__ = [
    "CACHE_KEY_NAME",
    "STORE_KEY_NAME",
    "DatabaseKey",
    "KeySource",
    "cache_key_source",
    "default_key_source",
    "derive",
    "read_secret",
    "secret_mode_problem",
    "shred",
    "store_key_source",
    "write_secret",
]
