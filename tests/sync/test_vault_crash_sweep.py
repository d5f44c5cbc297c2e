"""Rekeying and encrypting the cache (and rekeying the hub store) survive SIGKILL before every
change they make on disk.

``strace`` counts, in a dry run, each system call that changes the cache's files or its keys
(writes, truncations, unlinks, renames), then kills a fresh copy's rewrite at each of them in
turn (``--inject=SYSCALL:signal=KILL:when=N``: the process dies as it enters the N-th call,
before it runs). Afterwards the cache opens with the key on disk, holds every row, and the
job finishes when run again. This found a hot rollback journal (left while the source
leaves WAL) that a read-only key proof could not roll back, and so called every key wrong.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from core.errors import StorageError
from hub.sample import sample_morning
from hub.store import HubStore
from sync import cipher
from sync.sqlite import integrity_ok
from sync.vault import STORE_KEY_NAME, KeySource, default_key_source
from tests.support.clock import wall_today
from tests.sync.test_vault_crash import ROOT, _seed, _usable

_CHANGES = "pwrite64,write,ftruncate,unlink"  # on the files below (strace -P)
_FILES = (
    "kiosk.sqlite",
    "kiosk.sqlite-journal",
    "kiosk.sqlite-wal",
    "kiosk.sqlite-shm",
    "cache.key",
    "cache.key.new",
    ".cache.key.new.tmp",
    ".cache.key.tmp",
)
# Every rename of the job, wherever it points: -P matches a rename by its source only, and
# the database's own rename comes from ``kiosk.sqlite.rewrite``, whose writes (the export,
# before the rename) would only add equivalent points.
_RENAMES = "rename,renameat,renameat2"
pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace (Debian: strace)")


def _strace(db: Path, mode: str, traced: str, *options: str) -> subprocess.CompletedProcess[str]:
    paths = [] if traced == _RENAMES else [a for name in _FILES for a in ("-P", str(db.with_name(name)))]
    child = [sys.executable, "-m", "tests.support.vault_child", mode, str(db), "none"]
    return subprocess.run(
        ["strace", "-qq", "-e", f"trace={traced}", *paths, *options, *child],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _changes(template: Path, mode: str, scratch: Path) -> list[tuple[str, str, int]]:
    """Each (traced set, call, n-th invocation) that changes the cache or its keys in an
    uninterrupted job on a copy of ``template``."""
    points: list[tuple[str, str, int]] = []
    for traced in (_CHANGES, _RENAMES):
        where = scratch / traced.split(",")[0]
        shutil.copytree(template.parent, where)
        log = scratch / f"{where.name}.strace"
        done = _strace(where / template.name, mode, traced, "-o", str(log))
        if done.returncode != 0 and "ptrace" in done.stderr:
            pytest.skip(f"strace cannot trace here: {done.stderr.strip()[:200]}")
        assert done.returncode == 0, done.stderr
        calls = Counter(line.split("(", 1)[0] for line in log.read_text().splitlines() if "(" in line)
        points += [(traced, call, n) for call, count in sorted(calls.items()) for n in range(1, count + 1)]
    renames = [p for p in points if p[0] == _RENAMES]
    assert len(renames) >= 2 and any(p[1] == "unlink" for p in points), points  # it saw the job
    return points


def _seeded(tmp_path: Path, mode: str) -> Path:
    template = tmp_path / "template" / "kiosk.sqlite"
    _seed(template, KeySource(plain=True) if mode == "encrypt" else None)
    return template


@pytest.mark.parametrize("mode", ["rekey", "encrypt"])
def test_a_kill_before_any_change_on_disk_leaves_a_cache_that_opens_and_finishes(
    tmp_path: Path, mode: str
) -> None:
    template = _seeded(tmp_path, mode)
    points = _changes(template, mode, tmp_path / "dry")
    for traced, syscall, n in points:
        where = tmp_path / f"{syscall}-{n}"
        shutil.copytree(template.parent, where)
        db = where / "kiosk.sqlite"
        source = default_key_source(db)
        old = source.load() if mode == "rekey" else None
        done = _strace(db, mode, traced, f"--inject={syscall}:signal=KILL:when={n}")
        assert done.returncode == -signal.SIGKILL, f"{syscall} #{n}: not killed ({done.stderr[-300:]})"
        _usable(db)  # opens with the key on disk (or the pending one), every row there
        if mode == "rekey":
            cipher.rotate(db, source)  # run again: it completes
            _usable(db)
            assert old is not None and source.load() != old and not cipher.opens_with(db, old), syscall
            assert not source.pending_file.exists(), f"{syscall} #{n}"  # type: ignore[union-attr]
        assert cipher.file_kind(db) == "encrypted", f"{syscall} #{n}"
        shutil.rmtree(where)


def test_the_hub_store_killed_while_its_rekey_leaves_wal_opens_with_its_key(tmp_path: Path) -> None:
    """``kiosk hub rekey`` runs the same rewrite: killed as it deletes the journal of
    leaving WAL (the journal is hot), the store still opens with ``store.key`` and loses nothing."""
    db = tmp_path / "hub.sqlite"
    store = HubStore.open(db)
    store.load_day(sample_morning(wall_today()))
    before = [a.id for a in store.appointments()]
    store.close()
    source = default_key_source(db, STORE_KEY_NAME)
    old = source.load()
    journal = db.with_name("hub.sqlite-journal")
    child = [sys.executable, "-m", "tests.support.vault_child", "rekey-hub", str(db), "none"]
    done = subprocess.run(
        ["strace", "-qq", "-e", "trace=unlink", "-P", str(journal), "--inject=unlink:signal=KILL", *child],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-300:]
    assert journal.stat().st_size > 0 and source.pending_file.exists()  # type: ignore[union-attr]
    with pytest.raises(StorageError, match="interrupted write"):  # read-only cannot roll it back
        HubStore.open(db, readonly=True).close()
    store = HubStore.open(db)  # a writable open rolls it back and proves the key on disk
    try:
        assert integrity_ok(store.db) and [a.id for a in store.appointments()] == before
    finally:
        store.close()
    assert source.load() == old
    cipher.rotate(db, source)  # run again: it completes
    assert source.load() != old and cipher.opens_with(db, source.load())
    assert not cipher.opens_with(db, old) and not source.pending_file.exists()  # type: ignore[union-attr]
