"""The systemd units: `systemd-analyze verify` prints nothing (it exits 0 on unknown
keys, so any warning fails here), and the kiosk unit carries what operations rely on."""

from __future__ import annotations

import configparser
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core.systemd import Heartbeat, Watchdog, notify, watchdog_interval_s

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "systemd").glob("kiosk*"))
KIOSK_BIN = Path(sys.executable).parent / "kiosk"


@pytest.fixture(scope="module")
def staged_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The units with ExecStart pointing at this checkout's kiosk (verify checks it exists)."""
    out = tmp_path_factory.mktemp("units")
    for unit in UNITS:
        (out / unit.name).write_text(unit.read_text().replace("/opt/kiosk/venv/bin/kiosk", str(KIOSK_BIN)))
    return out


NO_SYSTEMD_ANALYZE = (
    "systemd-analyze is not on PATH: install the apt package systemd "
    "(listed in deps/apt.txt; `make system-deps` installs it)"
)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason=NO_SYSTEMD_ANALYZE)
@pytest.mark.parametrize("unit", [u.name for u in UNITS])
def test_systemd_analyze_verify_says_nothing(staged_units: Path, unit: str) -> None:
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(staged_units / unit)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert proc.returncode == 0 and lines == [], "\n".join(lines)


def test_verify_does_catch_an_unknown_key(staged_units: Path, tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip(NO_SYSTEMD_ANALYZE)
    bad = tmp_path / "kiosk.service"
    bad.write_text(
        (staged_units / "kiosk.service").read_text().replace("[Service]\n", "[Service]\nRestartt=1\n")
    )
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(bad)], capture_output=True, text=True, check=False
    )
    assert "Unknown key" in proc.stderr


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((ROOT / "systemd" / name).read_text())
    return parser


def test_the_kiosk_unit_is_a_hardened_notify_service_with_a_watchdog() -> None:
    svc = _unit("kiosk.service")["Service"]
    assert svc["Type"] == "notify" and svc["Restart"] == "on-failure" and int(svc["WatchdogSec"]) > 0
    assert svc["User"] == "kiosk" and svc["ProtectSystem"] == "strict"
    assert svc["ReadWritePaths"] == "/var/lib/kiosk"
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "ProtectKernelModules"):
        assert svc[key] == "true", key
    assert _unit("kiosk-purge.timer")["Timer"]["OnCalendar"]
    assert _unit("kiosk-hub.service")["Service"]["Restart"] == "on-failure"
    phone = _unit("kiosk-phone.service")["Service"]
    assert phone["Restart"] == "on-failure" and phone["Type"] == "notify"
    assert phone["ExecStart"].endswith("kiosk phone run") and "phone.toml" in phone["Environment"]


def test_sd_notify_sends_a_datagram_to_the_notify_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        assert notify("READY=1", env={"NOTIFY_SOCKET": str(path)})
        assert server.recv(100) == b"READY=1"
    assert not notify("READY=1", env={})
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 15.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None


def test_the_watchdog_is_petted_only_while_every_check_passes() -> None:
    sent: list[str] = []
    now = [0.0]
    loop = Heartbeat(max_age_s=5, clock=lambda: now[0])
    sync_ok = [True]

    def send(state: str) -> bool:
        sent.append(state)
        return True

    dog = Watchdog({"main loop": loop.alive, "sync": lambda: sync_ok[0]}, 1.0, send=send)
    assert dog.step() and sent == ["WATCHDOG=1"]
    now[0] = 10.0  # the main loop stopped beating: a hang
    assert not dog.step() and dog.failing == ["main loop"]
    loop.beat()
    sync_ok[0] = False
    assert not dog.step() and dog.failing == ["sync"]
    sync_ok[0] = True
    assert dog.step() and len(sent) == 2


def test_the_install_script_stages_a_complete_install(tmp_path: Path) -> None:
    root = tmp_path / "root"
    proc = subprocess.run(
        [
            "bash",
            str(ROOT / "scripts" / "install.sh"),
            "--root",
            str(root),
            "--no-apt",
            "--pip-args",
            "--no-deps",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (root / "opt/kiosk/venv/bin/kiosk").exists()
    for unit in UNITS:
        assert (root / "etc/systemd/system" / unit.name).read_text() == unit.read_text()
    assert oct((root / "etc/kiosk").stat().st_mode & 0o777) == "0o750"
    rule = (root / "etc/polkit-1/rules.d/50-kiosk.rules").read_text()
    assert '"kiosk.service"' in rule and 'subject.user == "kiosk"' in rule


@pytest.mark.parametrize(
    "unit", ["kiosk.service", "kiosk-hub.service", "kiosk-phone.service", "kiosk-purge.service"]
)
def test_no_unit_can_leave_a_core_dump(unit: str) -> None:
    # A dump of a kiosk or hub process holds patient data and the database key in clear.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(ROOT / "systemd" / unit)
    assert parser["Service"]["LimitCORE"] == "0"
