"""Encryption at rest: the kiosk cache and the hub store are SQLCipher files that neither
the stdlib's sqlite3 nor the ``sqlite3`` CLI can read, hold no seeded patient string in
any file (WAL and SHM included), open only with their key, and move to a new key or out
of plain SQLite in place."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from core.errors import ConfigError, StorageError
from hub.day_plan import DayPlan, HubAppointment
from hub.store import HubStore
from sync import cipher
from sync import messages as m
from sync.cache import KioskCache
from sync.migrations import KIOSK_MIGRATIONS
from sync.sqlite import integrity_ok, open_database, schema_version
from sync.vault import STORE_KEY_NAME, KeySource, default_key_source
from tests.support.clock import wall_today

# What a stolen disk must not give away: first names, last names, birth dates, codes.
SECRETS = ["Zebulon", "Quixley", "1951-07-23", "QZX781", "Marguerite", "Vantongeren", "1988-02-29", "MVT442"]


def _seed_cache(path: Path, key: KeySource | None = None) -> KioskCache:
    cache = KioskCache.open(path, key)
    day = wall_today().isoformat()
    appts = [
        m.Appointment("a1", "chen", f"{day}T09:00", 15, "Zebulon", "QUI", "1951-07-23", "QZX781"),
        m.Appointment("a2", "chen", f"{day}T09:15", 15, "Marguerite", "VAN", "1988-02-29", "MVT442"),
    ]
    cache.apply_schedule(m.ProviderSchedule("chen", "Dr. Chen", day, 1, appts), "t")
    cache.set_meta("note", "Quixley Vantongeren")
    return cache


def _files_holding(directory: Path, words: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits = [w for w in words if w.encode() in data or w.encode("utf-16-le") in data]
            if hits:
                found[str(path)] = hits
    return found


def test_no_seeded_string_is_in_any_file_of_the_kiosk_state_dir_while_open(tmp_path: Path) -> None:
    cache = _seed_cache(tmp_path / "kiosk.sqlite")
    try:  # the connection is open: the WAL and SHM are there, and are checked too
        assert (tmp_path / "kiosk.sqlite-wal").exists()
        assert _files_holding(tmp_path, SECRETS) == {}
        assert cache.appointment_by_code("QZX781") is not None  # and the kiosk still reads them
    finally:
        cache.close()
    assert _files_holding(tmp_path, SECRETS) == {}


def test_the_same_data_unencrypted_would_be_found(tmp_path: Path) -> None:
    # The scan above can fail: with encryption off the same strings are right there.
    cache = _seed_cache(tmp_path / "kiosk.sqlite", KeySource(plain=True))
    cache.close()
    assert set(_files_holding(tmp_path, SECRETS)) == {str(tmp_path / "kiosk.sqlite")}


def test_stdlib_sqlite3_and_the_sqlite3_cli_cannot_read_the_cache_or_the_store(tmp_path: Path) -> None:
    _seed_cache(tmp_path / "kiosk" / "kiosk.sqlite").close()
    store = HubStore.open(tmp_path / "hub" / "hub.sqlite")
    day = wall_today().isoformat()
    appt = HubAppointment("a1", "chen", f"{day}T09:00", 15, "Zebulon", "Quixley", "1951-07-23", "QZX781")
    store.load_day(DayPlan(day, {"chen": "Dr. Chen"}, [appt]))
    store.close()
    for path in (tmp_path / "kiosk" / "kiosk.sqlite", tmp_path / "hub" / "hub.sqlite"):
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()
        if shutil.which("sqlite3"):
            query = ["sqlite3", str(path), "SELECT count(*) FROM sqlite_master"]
            done = subprocess.run(query, capture_output=True, text=True, check=False)
            assert done.returncode != 0 and "not a database" in done.stderr
            dump = subprocess.run(
                ["sqlite3", str(path), ".dump"], capture_output=True, text=True, check=False
            )
            assert "not a database" in dump.stdout and not any(word in dump.stdout for word in SECRETS)
    assert _files_holding(tmp_path, SECRETS) == {}


def test_a_wrong_key_is_a_clear_error_and_never_a_new_empty_database(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite"
    _seed_cache(path).close()
    key_file = tmp_path / "cache.key"
    right = key_file.read_text()
    key_file.write_text("00" * 32 + "\n")
    size = path.stat().st_size
    with pytest.raises(StorageError, match=r"does not open this database \(wrong key\)"):
        KioskCache.open(path)
    key_file.unlink()
    with pytest.raises(StorageError, match="encrypted and its database key is missing"):
        KioskCache.open(path)
    assert not key_file.exists() and path.stat().st_size == size  # no key made, nothing replaced
    with pytest.raises(StorageError, match="encrypted, but no key is configured"):
        KioskCache.open(path, KeySource(plain=True))
    key_file.write_text(right)
    key_file.chmod(0o600)
    cache = KioskCache.open(path)
    assert cache.appointment_by_code("MVT442") is not None
    cache.close()


def test_a_world_readable_key_file_is_refused(tmp_path: Path) -> None:
    _seed_cache(tmp_path / "kiosk.sqlite").close()
    (tmp_path / "cache.key").chmod(0o644)
    with pytest.raises(ConfigError, match=r"cache.key: the database key file is world-readable"):
        KioskCache.open(tmp_path / "kiosk.sqlite")


def test_a_new_key_file_is_0600_and_a_hub_key_comes_from_a_command(tmp_path: Path) -> None:
    _seed_cache(tmp_path / "kiosk.sqlite").close()
    assert (tmp_path / "cache.key").stat().st_mode & 0o777 == 0o600
    command = KeySource(command=f"printf {'ab' * 32}", what="hub store key")
    store = HubStore.open(tmp_path / "hub" / "hub.sqlite", key=command)
    store.close()
    assert not (tmp_path / "hub" / STORE_KEY_NAME).exists()  # nothing written: the command is the key
    with pytest.raises(StorageError, match="wrong key"):
        HubStore.open(tmp_path / "hub" / "hub.sqlite", key=KeySource(command="printf other"))
    with pytest.raises(StorageError, match="failed"):
        HubStore.open(tmp_path / "hub" / "hub.sqlite", key=KeySource(command="false"))
    HubStore.open(tmp_path / "hub" / "hub.sqlite", readonly=True, key=command).close()


def test_a_plain_cache_is_encrypted_in_place_with_its_data_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite"
    _seed_cache(path, KeySource(plain=True)).close()
    assert cipher.file_kind(path) == "plain"
    cache = KioskCache.open(path)  # the default: encrypt, with a key made now
    assert cipher.file_kind(path) == "encrypted"
    assert schema_version(cache.db) == len(KIOSK_MIGRATIONS) and integrity_ok(cache.db)
    assert [a.first_name for a in cache.appointments_for("chen")] == ["Zebulon", "Marguerite"]
    cache.close()
    assert _files_holding(tmp_path, SECRETS) == {}
    assert not list(tmp_path.glob("*.rewrite*"))


def test_rekey_moves_the_cache_to_a_new_key_and_the_old_one_no_longer_opens_it(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite"
    _seed_cache(path).close()
    source = default_key_source(path)
    old = source.load()
    assert "new key" in cipher.rotate(path, source)
    assert source.load() != old and not source.pending_file.exists()  # type: ignore[union-attr]
    assert not cipher.opens_with(path, old)
    cache = KioskCache.open(path)
    assert cache.appointment_by_code("QZX781") is not None
    cache.close()
    # A key command: from the old command's key to the new command's.
    new_cmd, old_cmd = KeySource(command=f"printf {'cd' * 32}"), KeySource(command=f"printf {'ef' * 32}")
    cipher.rotate(path, old_cmd, previous=source)
    assert "rewritten" in cipher.rotate(path, new_cmd, previous=old_cmd)
    assert "already" in cipher.rotate(path, new_cmd, previous=old_cmd)
    assert (
        open_database(path, KIOSK_MIGRATIONS, key=new_cmd)
        .execute("SELECT count(*) FROM appointments")
        .fetchone()[0]
        == 2
    )


def test_rekey_refuses_while_another_connection_has_the_cache_open(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite"
    cache = _seed_cache(path)
    try:
        with pytest.raises(StorageError, match="in use"):
            cipher.rotate(path, default_key_source(path))
    finally:
        cache.close()
    cache = KioskCache.open(path)  # the refused rotation changed nothing
    assert cache.appointment_by_code("QZX781") is not None
    cache.close()


def test_the_kiosk_rekey_and_hub_rekey_commands(tmp_path: Path) -> None:
    from kiosk.cli import main

    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nstate_dir = "{tmp_path / "k"}"\n[hub]\nstate_dir = "{tmp_path / "h"}"\n')
    _seed_cache(tmp_path / "k" / "kiosk.sqlite").close()
    HubStore.open(tmp_path / "h" / "hub.sqlite").close()
    before = [(tmp_path / d / n).read_text() for d, n in (("k", "cache.key"), ("h", STORE_KEY_NAME))]
    assert main(["--config", str(config), "rekey"]) == 0
    assert main(["--config", str(config), "hub", "rekey"]) == 0
    after = [(tmp_path / d / n).read_text() for d, n in (("k", "cache.key"), ("h", STORE_KEY_NAME))]
    assert before[0] != after[0] and before[1] != after[1]
    KioskCache.open(tmp_path / "k" / "kiosk.sqlite").close()
    HubStore.open(tmp_path / "h" / "hub.sqlite").close()
