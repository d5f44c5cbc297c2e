"""Opening SQLite files the same way everywhere: WAL, durable commits, numbered migrations,
and (given a key source) SQLCipher encryption at rest (``sync.cipher``, ``sync.vault``)."""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from core.errors import StorageError
from sync import cipher
from sync.vault import KeySource

log = logging.getLogger(__name__)

Migration = Callable[[sqlite_utils.Database], None]


def open_database(
    path: str | Path,
    migrations: Sequence[Migration],
    *,
    readonly: bool = False,
    synchronous: str = "FULL",
    key: KeySource | None = None,
) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate ``path`` to the newest schema.

    ``PRAGMA user_version`` is the number of migrations applied; each migration runs in
    its own transaction, which reads the version it starts from (``BEGIN IMMEDIATE``), so an
    interrupted upgrade resumes where it stopped and processes started together (a hub and
    its intake workers after a reboot) never run one migration twice. A writable open holds
    the directory's lock (``_opening``) while it makes a key file or encrypts, so two of
    them never make two keys for one new database. With ``key``
    (not ``plain``) the file is SQLCipher-encrypted: a plain file is encrypted in place
    first, and a key that does not open it is a ``StorageError``.
    """
    path = Path(path)
    try:
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        with _opening(path.parent, readonly):
            raw_key = cipher.resolve_key(path, key, readonly=readonly)
            if raw_key is not None and not readonly and cipher.file_kind(path) == "plain":
                log.info("encrypting a plain database in place", extra={"db": path.name})
                cipher.encrypt_in_place(path, raw_key)
            conn = cipher.connect(path, raw_key, readonly=readonly, timeout=_BUSY_TIMEOUT_S)
            db = sqlite_utils.Database(conn)
            try:
                db.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
                if not readonly:
                    db.execute("PRAGMA journal_mode=WAL")
                    # FULL survives power loss; NORMAL (in WAL) survives a process crash. See durable().
                    db.execute(f"PRAGMA synchronous={synchronous}")
                db.execute("PRAGMA foreign_keys=ON")
                if not readonly:
                    _migrate(db, migrations)
            except BaseException:
                conn.close()  # a file that cannot be opened is not held open (nor its disk kept busy)
                raise
        return db
    except cipher.DatabaseError as exc:
        raise StorageError(f"{path}: {exc}") from exc
    except OSError as exc:  # e.g. the key file made beside a new database
        full = exc.errno == errno.ENOSPC
        raise StorageError(f"{path}: {'the disk is full: ' if full else ''}{exc.strerror}") from exc


_BUSY_TIMEOUT_S = 5.0  # how long a statement waits for another process's write (then: locked)
_OPEN_LOCK_TIMEOUT_S = 60.0  # another process encrypting or migrating a large file holds the lock


@contextmanager
def _opening(directory: Path, readonly: bool) -> Iterator[None]:
    """An exclusive ``flock`` on the database's directory while a writable open makes its
    key file, encrypts or migrates (released at once after; a dead holder's lock goes with
    it). A read-only open makes nothing and takes no lock."""
    if readonly:
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # a directory this user may write but not list: the transaction still guards
        yield
        return
    try:
        _lock(fd, directory)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int, directory: Path) -> None:
    deadline = time.monotonic() + _OPEN_LOCK_TIMEOUT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise StorageError(
                    f"{directory}: another process has been opening a database here for"
                    f" {_OPEN_LOCK_TIMEOUT_S:.0f} s (a stuck migration?)"
                ) from None
            time.sleep(0.01)


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _migrate(db: sqlite_utils.Database, migrations: Sequence[Migration]) -> None:
    """One migration per transaction; the version is read inside it (after BEGIN IMMEDIATE
    took the write lock), so a migration another process committed meanwhile is seen,
    not run again."""
    while True:
        with transaction(db):
            current = schema_version(db)
            if current > len(migrations):
                raise StorageError(
                    f"database schema {current} is newer than this software knows ({len(migrations)}); "
                    "refusing to downgrade"
                )
            if current == len(migrations):
                return
            migrations[current](db)
            db.execute(f"PRAGMA user_version={current + 1}")


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error; disk errors become StorageError."""
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
    except cipher.OperationalError as exc:
        raise StorageError(str(exc)) from exc
    try:
        yield
        conn.execute("COMMIT")
    except cipher.DatabaseError as exc:
        _rollback(conn)
        raise StorageError(str(exc)) from exc
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@contextmanager
def durable(db: sqlite_utils.Database) -> Iterator[None]:
    """Commits inside are synced to disk (FULL) even on a connection opened NORMAL: the
    outbox's rows must survive a power cut; state the hub re-sends as retained need not."""
    if db.conn.in_transaction:  # the level can't change now; the enclosing commit decides
        yield
        return
    before = db.execute("PRAGMA synchronous").fetchone()[0]
    db.execute("PRAGMA synchronous=FULL")
    try:
        yield
    finally:
        db.execute(f"PRAGMA synchronous={int(before)}")


def integrity_ok(db: sqlite_utils.Database) -> bool:
    verdict: str = db.execute("PRAGMA integrity_check").fetchone()[0]
    return verdict == "ok"
