"""`kiosk hub ehr replay FILE` feeds the running hub's listener like the practice system;
`kiosk hub ehr status` shows what came of it, from the hub's database."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from config.settings import HubEhrSettings
from core.errors import ConfigError
from hub.cli import main
from hub.ehr.service import check_settings, practice_zone
from tests.support.broker import closed_port, free_port
from tests.support.clock import wall_now
from tests.support.siu import EhrHub, Siu, ehr_settings, send

ROOT = Path(__file__).resolve().parents[3]


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_replay_a_file_then_read_the_status(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\npractice = "acme"\nstate_dir = "{tmp_path}"\n[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
        f'[hub.ehr]\nenabled = true\nport = {port}\nproviders = {{ D1 = "chen" }}\n'
    )
    site = EhrHub(ehr_settings(tmp_path, port=port))
    try:
        start = wall_now().replace(second=0, microsecond=0)
        messages = [
            Siu("F1", start=start, appointment_id="F1"),
            Siu("F2", start=start, appointment_id="F2", provider="D77"),
            Siu("F3", "S15", start=start, appointment_id="F1"),
        ]
        replay = tmp_path / "messages.hl7"
        # LF line ends, as a text editor saves it
        replay.write_text("\n".join(m.text().replace("\r", "\n") for m in messages))
        code, out = _cli("--config", str(config), "ehr", "replay", str(replay))
        assert code == 3, out  # one AE
        lines = out.splitlines()
        assert lines[0].split()[:3] == ["1", "AA", "F1"]
        assert lines[1].split()[:3] == ["2", "AE", "F2"] and "unknown provider D77" in lines[1]
        assert lines[-1] == "3 messages: AA 2, AE 1"
        code, out = _cli("--config", str(config), "ehr", "status")
        assert code == 0
        assert "messages: AA 2, AE 1, AR 0" in out
        assert "last message:" in out and "SIU^S15 F3 AA" in out
        code, out = _cli("--config", str(config), "ehr", "status", "--json")
        view = json.loads(out)
        assert view["counts"]["AA"] == 2 and view["arrivals"]["pending"] == 0
    finally:
        site.stop()
    code, out = _cli("--config", str(config), "ehr", "replay", str(replay))
    assert code == 1  # the listener is gone: one clear line on stderr, exit 1


def test_kiosk_hub_run_starts_the_listener_when_configured(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\npractice = "acme"\nstate_dir = "{tmp_path}"\n[broker]\nport = {closed_port()}\n'
        f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
        f'[hub.ehr]\nenabled = true\nport = {port}\nproviders = {{ D1 = "chen" }}\n'
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from hub.cli import main; sys.exit(main())",
            "--config",
            str(config),
            "run",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        lines = (proc.stdout.readline().strip() for _ in range(100))  # JSON logs come first
        assert next(line for line in lines if line.startswith("ehr:")) == f"ehr: MLLP on 127.0.0.1:{port}"
        start = wall_now().replace(second=0, microsecond=0)
        assert send(port, Siu("RUN1", start=start, appointment_id="RUN1"))[0].code == "AA"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(20)
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 0


def test_wrong_interface_settings_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"hub\.ehr\.timezone"):
        practice_zone(HubEhrSettings(timezone="Mars/Olympus"))
    with pytest.raises(ConfigError, match=r"hub\.ehr\.providers\.1234"):
        check_settings(HubEhrSettings(providers={"1234": "dr smith"}))
