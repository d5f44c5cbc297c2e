"""A hub store that cannot be opened is one line naming the file and what is wrong with it,
both from ``HubStore.open`` (a ``StorageError``) and from ``kiosk hub run`` (exit 1, no
traceback): a directory that cannot be made, no permission, not a database, a full disk,
a schema newer than this software."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.errors import StorageError
from hub.migrations import HUB_MIGRATIONS
from hub.store import HubStore

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534


@dataclass(frozen=True)
class Case:
    name: str
    prepare: Callable[[Path], Path]  # given a fresh directory, returns the hub's state_dir
    expected: str
    as_nobody: bool = False  # root may read any file: a permission case runs as another user


def _under_a_file(base: Path) -> Path:
    (base / "not-a-dir").write_text("a file where the state directory should go")
    return base / "not-a-dir" / "hub"


def _unreadable(base: Path) -> Path:
    state = base / "hub"
    state.mkdir()
    HubStore.open(state / "hub.sqlite").close()
    for name in os.listdir(state):
        (state / name).chmod(0o600)
    (state / "hub.sqlite").chmod(0o200 if os.geteuid() != 0 else 0o600)
    return state


def _not_a_database(base: Path) -> Path:
    state = base / "hub"
    state.mkdir()
    (state / "hub.sqlite").write_bytes(b"practice notes, not SQLite\n" * 200)
    return state


def _newer_schema(base: Path) -> Path:
    state = base / "hub"
    store = HubStore.open(state / "hub.sqlite")
    store.db.execute(f"PRAGMA user_version={len(HUB_MIGRATIONS) + 1}")
    store.close()
    return state


CASES = [
    Case("directory", _under_a_file, "cannot create the directory"),
    Case("permission", _unreadable, "permission denied", as_nobody=True),
    Case("not a database", _not_a_database, "not a SQLite database"),
    Case("newer schema", _newer_schema, f"schema {len(HUB_MIGRATIONS) + 1} is newer"),
]


@pytest.fixture
def base() -> Iterator[Path]:
    """A directory another user can enter (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="hub-store-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def full_disk() -> Iterator[Path]:
    """A 64 KiB tmpfs filled to the last byte: a full disk, for real."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = Path(tempfile.mkdtemp(prefix="hub-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=False)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    try:
        (mount / "hub").mkdir()
        with (mount / "filler").open("wb", buffering=0) as fh, pytest.raises(OSError, match="No space"):
            while True:
                fh.write(b"x" * 4096)
        yield mount / "hub"
    finally:
        subprocess.run(["umount", str(mount)], check=True)
        mount.rmdir()


# ``kiosk hub run`` as an unprivileged user: this machine's Python lives where only root
# may read, so the process imports everything first, then gives up root, then runs.
_AS_NOBODY = f"""
import os, sys
from kiosk.cli import build_parser, main
build_parser()
os.setgroups([])
os.setgid({NOBODY})
os.setuid({NOBODY})
sys.exit(main(sys.argv[1:]))
"""


def _run_hub(state: Path, config_dir: Path, as_nobody: bool) -> subprocess.CompletedProcess[str]:
    config = config_dir / "kiosk.toml"
    config.write_text(f'[broker]\nport = 1\n[hub]\nstate_dir = "{state}"\n')
    config.chmod(0o644)
    drop = as_nobody and os.geteuid() == 0
    start = ["-c", _AS_NOBODY] if drop else ["-m", "kiosk.cli"]
    return subprocess.run(
        [sys.executable, *start, "--config", str(config), "hub", "run"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(config_dir)},
    )


def _assert_one_clear_line(proc: subprocess.CompletedProcess[str], db: Path, expected: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"kiosk: {db}: "), lines[0]
    assert expected in lines[0]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_kiosk_hub_run_names_the_file_and_what_is_wrong(case: Case, base: Path) -> None:
    state = case.prepare(base)
    proc = _run_hub(state, base, case.as_nobody)
    _assert_one_clear_line(proc, state / "hub.sqlite", case.expected)


@pytest.mark.parametrize("case", [c for c in CASES if not c.as_nobody], ids=lambda c: c.name)
def test_hub_store_open_raises_a_storage_error_naming_the_path(case: Case, base: Path) -> None:
    state = case.prepare(base)
    with pytest.raises(StorageError) as caught:
        HubStore.open(state / "hub.sqlite")
    assert str(caught.value).startswith(f"{state / 'hub.sqlite'}: ")
    assert case.expected in str(caught.value)


def test_a_full_disk_at_start_is_one_clear_line(full_disk: Path, base: Path) -> None:
    with pytest.raises(StorageError, match=r"hub\.sqlite: .*full"):
        HubStore.open(full_disk / "hub.sqlite")
    proc = _run_hub(full_disk, base, as_nobody=False)
    _assert_one_clear_line(proc, full_disk / "hub.sqlite", "full")


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("hub/deeper", "cannot create the directory"),  # the hub's user may not create it
        ("", "permission denied on the directory"),  # it exists; SQLite may not write there
    ],
)
def test_a_directory_the_hub_may_not_write_is_named(base: Path, state: str, expected: str) -> None:
    (base / "config").mkdir(mode=0o755)
    if os.geteuid() != 0:
        base.chmod(0o555)
    proc = _run_hub(base / state if state else base, base / "config", as_nobody=True)
    _assert_one_clear_line(proc, (base / state if state else base) / "hub.sqlite", expected)


def test_the_read_commands_say_when_there_is_no_database_yet(base: Path) -> None:
    with pytest.raises(StorageError, match="no hub database here"):
        HubStore.open(base / "hub" / "hub.sqlite", readonly=True)
