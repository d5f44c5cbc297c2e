"""The generated brokers keep their state: fleet-config makes each broker's persistence
directory (``--make-dirs``) or prints the command that does; a central and a site broker
killed (SIGKILL) with retained and queued messages come back with both."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stdout
from pathlib import Path

from devtools.fleet_persistence import broker_kills
from devtools.local_broker import copy_certs
from kiosk.cli import main
from tests.fleet.test_fleet_config import _plan


def _fleet_config(tmp_path: Path, *extra: str) -> str:
    plan = _plan(tmp_path)
    plan.write_text(plan.read_text().replace("/var/lib/mosquitto/", f"{tmp_path / 'data'}/"))
    stdout = io.StringIO()
    with redirect_stdout(stdout):
        assert main(["hub", "fleet-config", "--plan", str(plan), "--out", str(tmp_path / "out"), *extra]) == 0
    return stdout.getvalue()


def test_fleet_config_says_exactly_how_to_make_the_persistence_directories(tmp_path: Path) -> None:
    out = _fleet_config(tmp_path)
    for broker in ("central", "site-north", "site-south"):
        where = f"{tmp_path / 'data'}/{broker}/"
        assert f"install -d -o mosquitto -g mosquitto -m 750 {where}    # {broker}" in out
        assert f"persistence_location {where}" in (tmp_path / "out" / broker / "mosquitto.conf").read_text()
    assert not (tmp_path / "data").exists()  # nothing made without --make-dirs


def test_fleet_config_makes_them_for_mosquitto(tmp_path: Path) -> None:
    out = _fleet_config(tmp_path, "--make-dirs")
    for broker in ("central", "site-north", "site-south"):
        made = tmp_path / "data" / broker
        assert made.is_dir() and made.stat().st_mode & 0o777 == 0o750
        if os.geteuid() == 0:
            assert f"made {made}/ ({broker}), owner mosquitto" in out


def test_broker_config_prints_the_command_for_its_directory(tmp_path: Path) -> None:
    copy_certs(tmp_path / "pki")
    (tmp_path / "hub.pw").write_text("hub-secret-123\n")
    stdout = io.StringIO()
    args = [
        "hub", "broker-config", "--out", str(tmp_path / "out"), "--ca", str(tmp_path / "pki/ca.crt"),
        "--cert", str(tmp_path / "pki/server.crt"), "--key", str(tmp_path / "pki/server.key"),
        "--kiosk", "lobby-1:lobby-secret-1", "--hub-password-file", str(tmp_path / "hub.pw"),
        "--persistence-dir", str(tmp_path / "data"), "--make-dirs",
    ]  # fmt: skip
    with redirect_stdout(stdout):
        assert main(args) == 0
    assert (tmp_path / "data").is_dir()
    conf = (tmp_path / "out" / "mosquitto.conf").read_text()
    assert f"persistence_location {tmp_path / 'data'}/\n" in conf  # a directory: ends with /


def test_killed_brokers_keep_their_retained_and_queued_messages(tmp_path: Path) -> None:
    result = broker_kills(tmp_path, retained=5, queued=20)
    assert result["central"] == {"retained_lost": 0, "queued_lost": 0}, result
    assert result["site"] == {"retained_lost": 0, "queued_lost": 0}, result
