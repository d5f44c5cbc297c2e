"""Several kiosks provisioned into one staging folder keep their own credentials: each
config names files of its own, a file another config names is never overwritten, and
resetting one unit leaves the others' files alone."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from config import load_settings
from core.errors import ConfigError
from kiosk.cli import main
from kiosk.ops import factory_reset
from kiosk.ops_cli import build_answers
from kiosk.provision import fill_in, write_config


def _provision(tmp_path: Path, kiosk: str, output: Path, password: str) -> None:
    secret = tmp_path / f"{kiosk}.secret"
    secret.write_text(password + "\n")
    args = [
        "provision", "--kiosk-id", kiosk, "--practice", "acme", "--site", "main",
        "--broker", "mqtts://127.0.0.1:1", "--ca", str(tmp_path / "ca.crt"),
        "--cert", str(tmp_path / f"{kiosk}.crt"), "--key", str(tmp_path / f"{kiosk}.key"),
        "--username", kiosk, "--password-file", str(secret),
        "--set", f"kiosk.state_dir={str(tmp_path / 'state' / kiosk)!r}",
        "--output", str(output), "--no-verify",
    ]  # fmt: skip
    with redirect_stdout(io.StringIO()):
        assert main(args) == 0


@pytest.fixture
def pem_files(tmp_path: Path) -> Path:
    (tmp_path / "ca.crt").write_text("the group's CA\n")
    for kiosk in ("lobby-1", "lobby-2", "lobby-3"):
        (tmp_path / f"{kiosk}.crt").write_text(f"{kiosk} certificate\n")
        (tmp_path / f"{kiosk}.key").write_text(f"{kiosk} key\n")
    return tmp_path


def test_kiosks_provisioned_into_one_folder_keep_their_own_credentials(pem_files: Path) -> None:
    staging = pem_files / "staging"
    _provision(pem_files, "lobby-1", staging / "lobby-1.toml", "first-password-1")
    _provision(pem_files, "lobby-2", staging / "lobby-2.toml", "second-password-2")
    one = load_settings(staging / "lobby-1.toml", env={})
    two = load_settings(staging / "lobby-2.toml", env={})
    assert one.broker.password == "first-password-1"
    assert two.broker.password == "second-password-2"
    assert Path(one.broker.cert_file).read_text() == "lobby-1 certificate\n"
    assert Path(two.broker.key_file).read_text() == "lobby-2 key\n"
    assert Path(one.broker.password_file).name == "lobby-1.mqtt.password"

    # Provisioned again (a new password): its own files change, the other's do not.
    _provision(pem_files, "lobby-1", staging / "lobby-1.toml", "first-password-9")
    assert load_settings(staging / "lobby-1.toml", env={}).broker.password == "first-password-9"
    assert load_settings(staging / "lobby-2.toml", env={}).broker.password == "second-password-2"

    # A reset of one unit removes its files only.
    factory_reset(one, staging / "lobby-1.toml")
    assert not (staging / "lobby-1.mqtt.password").exists()
    assert load_settings(staging / "lobby-2.toml", env={}).broker.password == "second-password-2"
    assert Path(two.broker.cert_file).exists()


def test_a_file_another_config_names_is_never_overwritten(pem_files: Path) -> None:
    """An older config in the folder that names the plain mqtt.password (as kiosk.toml
    does) keeps it: a kiosk.toml written beside it for another unit is refused."""
    staging = pem_files / "staging"
    _provision(pem_files, "lobby-1", staging / "kiosk.toml", "first-password-1")
    (staging / "kiosk.toml").rename(staging / "lobby-1.toml")  # e.g. renamed by hand
    answers = build_answers(
        ["--kiosk-id", "lobby-2", "--practice", "acme", "--site", "main", "--broker", "mqtt://h",
         "--username", "lobby-2", "--output", str(staging / "kiosk.toml")]
    )  # fmt: skip
    answers.password = "second-password-2"
    with pytest.raises(ConfigError, match=r"mqtt.password belongs to lobby-1.toml"):
        write_config(fill_in(answers, None), staging / "kiosk.toml")
    assert load_settings(staging / "lobby-1.toml", env={}).broker.password == "first-password-1"
