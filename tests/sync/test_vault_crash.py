"""Encrypting a plain cache in place and rekeying it survive SIGKILL at any point: a real
process (``tests.support.vault_child``) is killed at each step boundary of the rewrite and
at timed points in the middle of it; afterwards the cache opens with its key, holds every
row, passes ``integrity_check``, and the interrupted job finishes when run again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync import cipher
from sync import messages as m
from sync.cache import KioskCache
from sync.sqlite import integrity_ok
from sync.vault import KeySource, default_key_source
from tests.support.clock import wall_today

ROOT = Path(__file__).resolve().parents[2]
ROWS = 300
BIG = 3000  # the rewrite then takes a few hundred ms: long enough for a timed kill to land inside


def _seed(path: Path, key: KeySource | None, rows: int = ROWS) -> None:
    cache = KioskCache.open(path, key)
    day = wall_today().isoformat()
    appts = [
        m.Appointment(f"a{i}", "chen", f"{day}T09:00", 15, f"Name{i:05d}", "LEE", "1970-01-01", f"C{i:05d}")
        for i in range(rows)
    ]
    cache.apply_schedule(m.ProviderSchedule("chen", "Dr. Chen", day, 1, appts), "t")
    cache.close()


def _child(mode: str, db: Path, point: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.vault_child", mode, str(db), point],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _usable(db: Path, rows: int = ROWS) -> None:
    cache = KioskCache.open(db)  # the default key source: cache.key beside it (or its .new)
    try:
        assert integrity_ok(cache.db)
        assert len(cache.appointments_for("chen")) == rows
        assert cache.appointment_by_code(f"C{rows - 1:05d}") is not None
    finally:
        cache.close()


def _killed_at(mode: str, db: Path, point: str) -> None:
    proc = _child(mode, db, point)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"{point}: the child was not killed there"


@pytest.mark.parametrize("point", ["left_wal", "renamed"])
def test_encrypting_in_place_survives_sigkill_at_each_step(tmp_path: Path, point: str) -> None:
    db = tmp_path / "kiosk.sqlite"
    _seed(db, KeySource(plain=True))
    _killed_at("encrypt", db, point)
    assert cipher.file_kind(db) == ("encrypted" if point == "renamed" else "plain")
    _usable(db)  # opening it finishes the job
    assert cipher.file_kind(db) == "encrypted" and not list(tmp_path.glob("*.rewrite*"))


@pytest.mark.parametrize("point", ["staged", "exported", "renamed", "before_key_commit"])
def test_rekey_survives_sigkill_at_each_step(tmp_path: Path, point: str) -> None:
    db = tmp_path / "kiosk.sqlite"
    _seed(db, None)
    source = default_key_source(db)
    old = source.load()
    _killed_at("rekey", db, point)
    _usable(db)
    cipher.rotate(db, source)  # run again: it completes
    _usable(db)
    assert source.load() != old and not cipher.opens_with(db, old)
    assert not source.pending_file.exists()  # type: ignore[union-attr]


def test_timed_sigkills_in_the_middle_of_encrypting_and_rekeying(tmp_path: Path) -> None:
    for mode in ("encrypt", "rekey"):
        template = tmp_path / mode / "kiosk.sqlite"
        _seed(template, KeySource(plain=True) if mode == "encrypt" else None, BIG)
        for delay in (0.05, 0.25) if mode == "rekey" else (0.15,):
            where = tmp_path / f"{mode}-{delay}"
            shutil.copytree(template.parent, where)
            db = where / "kiosk.sqlite"
            proc = _child(mode, db, "none")
            assert proc.stdout is not None and proc.stdout.readline().strip() == "start"
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            _usable(db, BIG)
