"""Secrets out of kiosk.toml: provisioning writes the broker password and the cache key to
0600 files the config names; a world-readable password file stops start-up naming the
file; the doctor prefers the file; a factory reset leaves nothing behind; the daily purge
leaves only today's schedule, not even in the file's free pages or its WAL."""

from __future__ import annotations

import io
import stat
from contextlib import redirect_stdout
from datetime import timedelta
from pathlib import Path

import pytest

from config import load_settings
from core.errors import ConfigError
from kiosk.cli import main
from kiosk.ops import cache_path, doctor, purge
from kiosk.wipe import factory_reset
from sync import messages as m
from sync.cache import KioskCache
from sync.vault import KeySource, cache_key_source
from tests.support.clock import wall_today


def _provision(tmp_path: Path, *extra: str) -> Path:
    output = tmp_path / "etc" / "kiosk.toml"
    (tmp_path / "pw").write_text("k1-secret-password\n")
    args = ["provision", "--kiosk-id", "lobby-1", "--practice", "acme", "--site", "main"]
    args += [
        "--broker",
        "mqtt://127.0.0.1:9",
        "--username",
        "lobby-1",
        "--password-file",
        str(tmp_path / "pw"),
    ]
    args += ["--set", f"kiosk.state_dir={str(tmp_path / 'state')!r}", "--output", str(output), "--no-verify"]
    with redirect_stdout(io.StringIO()):
        assert main([*args, *extra]) == 0
    return output


def test_provisioning_keeps_the_password_and_the_cache_key_in_0600_files(tmp_path: Path) -> None:
    output = _provision(tmp_path)
    text = output.read_text()
    assert "k1-secret-password" not in text and "password_file" in text and "cache_key_file" in text
    settings = load_settings(output, env={})
    assert settings.broker.password == "k1-secret-password"  # read from its file at load
    for secret in (Path(settings.broker.password_file), Path(settings.kiosk.cache_key_file)):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    key_before = Path(settings.kiosk.cache_key_file).read_text()
    _provision(tmp_path)  # provisioning again keeps the key: the cache stays readable
    assert Path(settings.kiosk.cache_key_file).read_text() == key_before


def test_a_world_readable_password_file_stops_start_up_naming_the_file(tmp_path: Path) -> None:
    output = _provision(tmp_path)
    password_file = tmp_path / "etc" / "mqtt.password"
    password_file.chmod(0o644)
    with pytest.raises(ConfigError, match=r"mqtt.password: the broker password file is world-readable"):
        load_settings(output, env={})
    password_file.chmod(0o640)  # group-readable: loads, but the doctor fails it
    results = {r.name: r for r in doctor(load_settings(output, env={}), broker_timeout=0.5)}
    assert not results["broker password"].ok and "mqtt.password" in results["broker password"].detail


def test_the_doctor_prefers_a_password_file_to_an_inline_password(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nstate_dir = "{tmp_path}"\n[broker]\nport = 9\npassword = "inline-secret"\n')
    results = {r.name: r for r in doctor(load_settings(config, env={}), broker_timeout=0.5)}
    assert results["broker password"].warning and "password_file" in results["broker password"].advice
    config.write_text(config.read_text() + f'password_file = "{tmp_path / "pw"}"\n')
    with pytest.raises(ConfigError, match="both set"):
        load_settings(config, env={})


def test_a_factory_reset_leaves_nothing(tmp_path: Path) -> None:
    output = _provision(tmp_path)
    settings = load_settings(output, env={})
    cache = KioskCache.open(cache_path(settings), cache_key_source(settings))
    cache.set_meta("note", "open while reset")
    run, dumps = tmp_path / "run", tmp_path / "coredump"
    for directory in (run, dumps):
        directory.mkdir()
    (run / "socket").write_text("")
    (dumps / "core.kiosk.0.1.2.zst").write_text("dump")
    (dumps / "core.sshd.0.zst").write_text("not ours")
    assert (cache_path(settings).parent / "kiosk.sqlite-wal").exists()
    factory_reset(settings, output, system_dirs=[run], coredump_dir=dumps)  # while the cache is open
    cache.close()  # closing it afterwards recreates nothing
    left = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != tmp_path]
    assert left == [dumps / "core.sshd.0.zst"]


def test_the_daily_purge_leaves_only_today_in_every_file(tmp_path: Path) -> None:
    # Without encryption, so what is on disk can be searched: deleted rows are overwritten
    # (secure_delete) and the WAL is emptied, not left holding yesterday's pages.
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nstate_dir = "{tmp_path / "state"}"\nencrypt_cache = false\n')
    settings = load_settings(config, env={})
    cache = KioskCache.open(cache_path(settings), KeySource(plain=True))
    today, yesterday = wall_today(), wall_today() - timedelta(days=1)
    for day, provider, name in ((yesterday, "old", "Yesterdayname"), (today, "new", "Todayname")):
        appt = m.Appointment(
            f"{provider}-1", provider, f"{day}T09:00", 15, name, "LEE", "1970-01-01", "ABC234"
        )
        cache.apply_schedule(m.ProviderSchedule(provider, provider, day.isoformat(), 1, [appt]), "t")
    cache.close()
    assert purge(settings) == 1
    on_disk = b"".join(p.read_bytes() for p in (tmp_path / "state").rglob("*") if p.is_file())
    assert b"Yesterdayname" not in on_disk and b"Todayname" in on_disk


def test_the_practice_cli_password_comes_from_its_own_0600_file(tmp_path: Path) -> None:
    secret = tmp_path / "practice.password"
    secret.write_text("desk-secret-1\n")
    secret.chmod(0o600)
    config = tmp_path / "hub.toml"
    config.write_text(f'[hub]\ncli_username = "desk"\ncli_password_file = "{secret}"\n')
    settings = load_settings(config, env={})
    assert settings.hub.cli_password == "desk-secret-1" and "desk-secret-1" not in config.read_text()
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match=r"practice CLI password file is world-readable"):
        load_settings(config, env={})
    secret.chmod(0o600)
    config.write_text(config.read_text() + 'cli_password = "inline"\n')
    with pytest.raises(ConfigError, match=r"hub.cli_password and hub.cli_password_file are both set"):
        load_settings(config, env={})
