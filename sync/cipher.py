"""SQLCipher underneath ``sync.sqlite``: keyed connections, and the two rewrites of a whole
file - a plain database encrypted in place, an encrypted one moved to a new key.

``PRAGMA key`` is the first statement on a keyed connection, and the key is proved at once
(reading ``sqlite_master``): a wrong or missing key fails at start-up, never later and
never as a new empty database.

Both rewrites are crash-safe the same way: the source is checkpointed out of WAL (so no
``-wal`` file of the old format can outlive it), the whole database is exported to a
temporary file beside it, synced, and renamed over the original. SIGKILL before the
rename leaves the original; after it, the new file. The key file's own rotation
(``sync.vault.KeySource.stage_next``/``commit_next``) brackets the rename.

Leaving WAL rewrites page 1 under a rollback journal, so a kill there leaves a hot
``-journal`` beside the original. Only a writable connection rolls it back (SQLite does so
before it reads a page, copying the journal's pages back as stored - encrypted - so any key
does it right); a read-only key proof cannot, and used to call every key wrong. Keys are
therefore proved writable wherever the file may be written (``opens_with(recover=True)``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Literal, cast

import sqlcipher3

from core.errors import StorageError
from sync.vault import DatabaseKey, KeySource, fsync_dir

FileKind = Literal["missing", "empty", "plain", "encrypted", "unknown"]

_HEADER = b"SQLite format 3\x00"
_MIN_PAGE = 512  # every SQLite and SQLCipher page size is a multiple of it
# Errors from either driver: sqlcipher3's classes are not the stdlib's.
DatabaseError: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher3.DatabaseError)
OperationalError: tuple[type[Exception], ...] = (sqlite3.OperationalError, sqlcipher3.OperationalError)
_rewriting = threading.Lock()  # one rewrite at a time in this process


def file_kind(path: Path) -> FileKind:
    """What is at ``path``: SQLCipher's files have no header (they start with a random salt)
    and are whole pages long, so anything else without SQLite's header is "unknown"."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_HEADER))
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        raise StorageError(f"{path}: {exc.strerror}") from exc
    if not head:
        return "empty"
    if head == _HEADER:
        return "plain"
    return "encrypted" if size >= _MIN_PAGE and size % _MIN_PAGE == 0 else "unknown"


def connect(
    path: Path, key: DatabaseKey | None, *, readonly: bool = False, timeout: float = 5.0
) -> sqlite3.Connection:
    """A connection to ``path``: stdlib sqlite3 without a key, SQLCipher keyed with one.
    ``StorageError`` when the key does not open the file."""
    target = f"file:{path}?mode=ro" if readonly else str(path)
    if key is None:
        return sqlite3.connect(target, uri=readonly, timeout=timeout, isolation_level=None)
    conn = cast(
        sqlite3.Connection, sqlcipher3.connect(target, uri=readonly, timeout=timeout, isolation_level=None)
    )
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our error to report, once
        conn.execute(f'PRAGMA key = "{key.pragma()}"')
        prove_key(conn, path)
        # Sorts and temporary tables stay in memory: no plain temporary file on disk.
        conn.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        conn.close()
        raise
    return conn


class WrongKeyError(StorageError):
    """The key does not decrypt the file (or the file is not a kiosk database)."""


def prove_key(conn: sqlite3.Connection, path: Path) -> None:
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DatabaseError as exc:
        if "not a database" in str(exc):
            raise WrongKeyError(
                f"{path}: the key does not open this database (wrong key, or not a kiosk database)"
            ) from None
        if _hot_journal(path):
            raise StorageError(
                f"{path}: an interrupted write left {_journal(path).name}, which only a writable open"
                " rolls back: start the service (or any command that writes it) once, then retry"
            ) from exc
        raise StorageError(f"{path}: {exc}") from exc


def opens_with(path: Path, key: DatabaseKey, *, recover: bool = False) -> bool:
    """Whether ``key`` opens ``path``: False only for a wrong key; any other failure (busy,
    unreadable, a hot journal a read-only proof cannot roll back) is a ``StorageError``.
    ``recover`` proves it on a writable connection, which first rolls back a hot journal."""
    try:
        connect(path, key, readonly=not recover).close()
    except WrongKeyError:
        return False
    return True


def _journal(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def _hot_journal(path: Path) -> bool:
    with contextlib.suppress(OSError):
        return _journal(path).stat().st_size > 0
    return False


def encrypt_in_place(path: Path, key: DatabaseKey) -> None:
    """Rewrite the plain database at ``path`` encrypted under ``key`` (crash-safe)."""
    with _rewriting:
        if file_kind(path) != "plain":
            return  # done meanwhile (another connection of this process)
        _rewrite(path, None, key)


def rekey_in_place(path: Path, old: DatabaseKey | None, new: DatabaseKey) -> None:
    """Rewrite ``path`` under ``new``; ``old`` None means the file is plain now."""
    with _rewriting:
        if opens_with(path, new, recover=True):
            return  # an earlier run got as far as the rename
        _rewrite(path, old, new)


def _rewrite(path: Path, old: DatabaseKey | None, new: DatabaseKey) -> None:
    tmp = path.with_name(path.name + ".rewrite")
    remove_database_files(tmp)  # what a killed earlier attempt left
    source = _leave_wal(path, old)
    try:
        version = int(source.execute("PRAGMA user_version").fetchone()[0])
        source.execute("ATTACH DATABASE ? AS rewritten KEY ?", [str(tmp), new.pragma()])
        source.execute("SELECT sqlcipher_export('rewritten')")
        source.execute(f"PRAGMA rewritten.user_version = {version}")
        source.execute("DETACH DATABASE rewritten")
    except DatabaseError as exc:
        raise StorageError(f"{path}: could not rewrite the database: {exc}") from exc
    finally:
        source.close()
    _fsync(tmp)
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        remove_database_files(tmp)
        raise StorageError(f"{path}: written to while being rewritten; stop what has it open and retry")
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _leave_wal(path: Path, key: DatabaseKey | None) -> sqlite3.Connection:
    """A SQLCipher connection on ``path`` with the WAL checkpointed away (rollback journal
    mode), which needs every other connection closed."""
    conn = cast(sqlite3.Connection, sqlcipher3.connect(str(path), timeout=5.0, isolation_level=None))
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            conn.execute(f'PRAGMA key = "{key.pragma()}"')
        prove_key(conn, path)
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except DatabaseError as exc:
        conn.close()
        raise StorageError(f"{path}: in use (stop the service that has it open): {exc}") from exc
    except BaseException:
        conn.close()
        raise
    if str(mode).lower() != "delete":
        conn.close()
        raise StorageError(f"{path}: in use (stop the service that has it open)")
    return conn


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


SIDECARS = ("-wal", "-shm", "-journal")


def database_files(path: Path) -> list[Path]:
    """The database and every file SQLite keeps beside it."""
    return [path, *(path.with_name(path.name + s) for s in SIDECARS)]


def remove_database_files(path: Path) -> list[Path]:
    removed = []
    for item in database_files(path):
        with contextlib.suppress(FileNotFoundError):
            item.unlink()
            removed.append(item)
    return removed


def resolve_key(path: Path, source: KeySource | None, *, readonly: bool = False) -> DatabaseKey | None:
    """The key that opens ``path`` (None: open it plain), or ``StorageError`` saying why
    there is none. A key file is made only for a database that does not exist yet or is
    still plain; a rotation that stopped after the database's rename is finished here."""
    kind = file_kind(path)
    if kind == "unknown":
        raise StorageError(f"{path}: file is not a database")
    if source is None or source.plain:
        if kind == "encrypted":
            raise StorageError(f"{path}: the database is encrypted, but no key is configured for it")
        return None
    if kind != "encrypted":
        if kind == "plain" and readonly:
            return None  # read as it is; the next writable open encrypts it
        if source.exists():
            return source.load()
        if source.can_create and not readonly:
            return source.create()
        raise StorageError(f"{path}: no {source.what} ({source.describe()})")
    pending = source.load_pending()
    key = source.load() if source.exists() else None
    if key is None and pending is None:
        raise StorageError(
            f"{path}: the database is encrypted and its {source.what} is missing ({source.describe()}):"
            " restore the key file; without it the data cannot be read (a kiosk's cache can be removed:"
            " the hub sends the day again)"
        )
    recover = not readonly  # a writable proof rolls back what a rewrite killed mid-step left
    if key is not None and opens_with(path, key, recover=recover):
        return key
    if pending is not None and opens_with(path, pending, recover=recover):
        if not readonly:
            source.commit_next()  # the rewrite was done; the key file's rename was not
        return pending
    raise StorageError(
        f"{path}: the {source.what} ({source.describe()}) does not open this database (wrong key)"
    )


def rotate(path: Path, source: KeySource, previous: KeySource | None = None) -> str:
    """Move the database at ``path`` to a new key; what was done, in words.

    A key file gets a new random key: staged as ``<key>.new``, the database rewritten
    under it, then the key file replaced; run again after a crash, it finishes. A key
    command's database moves from what ``previous`` gives (the old command) to what the
    configured command gives now. A plain database is encrypted. Every other connection
    to the file must be closed (stop the service first).
    """
    kind = file_kind(path)
    if kind in ("missing", "empty"):
        raise StorageError(f"{path}: no database here to rekey")
    if source.plain:
        raise StorageError(f"{path}: encryption is off for this database in the settings")
    if kind == "plain":
        key = resolve_key(path, source)
        if key is not None:
            encrypt_in_place(path, key)
        return f"encrypted the plain database under the {source.describe()}"
    if source.command:
        new = source.load()
        if opens_with(path, new, recover=True):
            return f"already under the key the {source.describe()} gives"
        if previous is None:
            raise StorageError(f"{path}: name the command that gives the old key (--old-key-command)")
        rekey_in_place(path, previous.load(), new)
        return f"rewritten under the key the {source.describe()} gives"
    old = resolve_key(path, source)  # also finishes a rotation that stopped after the rename
    new = source.stage_next()
    rekey_in_place(path, old, new)
    source.commit_next()
    return f"rewritten under a new key; the {source.describe()} holds it"


__all__ = [
    "DatabaseError",
    "OperationalError",
    "WrongKeyError",
    "connect",
    "database_files",
    "encrypt_in_place",
    "file_kind",
    "opens_with",
    "rekey_in_place",
    "remove_database_files",
    "resolve_key",
    "rotate",
]
