"""The practice's terminal: `kiosk hub ...` against a running hub, schedule files, the demo."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.logs import JsonFormatter
from hub.sample import sample_morning
from hub.schedule_io import load_plan, write_csv
from kiosk.cli import main
from tests.support.broker import Broker, broker_toml
from tests.support.clock import wall_today
from tests.support.site import RecordingKiosk, start_hub, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, broker: Broker, protocol: str = "5") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nid = "lobby-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path}"\n'
        + broker_toml(broker, protocol=protocol, reconnect_min_s=0.1)
        + f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
    )
    return path


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_hub_status_command_reaches_kiosks(broker: Broker, tmp_path: Path, protocol: str) -> None:
    config = _config(tmp_path, broker, protocol)
    hub = start_hub(broker.settings(protocol=protocol), tmp_path)
    kiosk = RecordingKiosk(broker.settings(protocol=protocol), tmp_path).start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="schedule")
        code, out = _cli("--config", str(config), "hub", "status", "Martinez", "out", "--reason", "sick")
        assert code == 0, out
        assert "status version 1" in out
        wait_for(lambda: (s := kiosk.status("martinez")) is not None and s.state == "out", what="out")
        out_status = kiosk.status("martinez")
        assert out_status is not None and out_status.reason == "sick"
        code, out = _cli("--config", str(config), "hub", "status", "chen", "late", "20")
        assert code == 0
        wait_for(lambda: (s := kiosk.status("chen")) is not None and s.delay_min == 20, what="late")
        code, out = _cli("--config", str(config), "hub", "kiosks", "--json")
        rows = json.loads(out)
        assert rows[0]["id"] == "lobby-1"
    finally:
        kiosk.stop()
        hub.stop()


def test_hub_cli_refuses_bad_arguments_with_reasons(broker: Broker, tmp_path: Path) -> None:
    config = _config(tmp_path, broker)
    hub = start_hub(broker.settings(), tmp_path)
    hub.stop()
    assert _cli("--config", str(config), "hub", "status", "chen", "late")[0] == 1
    assert _cli("--config", str(config), "hub", "status", "dr", "out")[0] == 1  # matches several providers
    code, out = _cli("--config", str(config), "hub", "checkins")
    assert code == 0 and "0 check-ins" in out


def test_schedule_csv_round_trip_and_errors_name_the_row(tmp_path: Path) -> None:
    plan = sample_morning(date(2026, 11, 30))
    write_csv(plan, tmp_path / "day.csv")
    loaded = load_plan(tmp_path / "day.csv")
    assert loaded.date == "2026-11-30"
    assert loaded.appointments == plan.appointments
    lines = (tmp_path / "day.csv").read_text().splitlines()
    lines[3] = lines[3].replace("2026-11-30T", "2026-11-3XT")
    (tmp_path / "bad.csv").write_text("\n".join(lines))
    with pytest.raises(ConfigError, match=r"row 4: .*start"):
        load_plan(tmp_path / "bad.csv")


def test_the_demo_runs_the_story_and_logs_no_patient_data(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "devtools", "demo", "--headless", "--minutes", "0.02"],
        capture_output=True,
        check=False,
        text=True,
        timeout=90,
        cwd=ROOT,
        env={"PATH": "/usr/sbin:/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    assert "hub recorded 3 check-ins" in proc.stderr
    assert "Dr. Ana Martinez  out today (sick)" in proc.stderr
    assert "stopped: kiosk, hub and broker" in proc.stderr
    # stdout carries the JSON logs: no patient's last name or birth date in any line.
    plan = sample_morning(wall_today())
    for appt in plan.appointments:
        assert appt.last_name not in proc.stdout
        assert appt.dob not in proc.stdout


def test_json_logs_carry_extra_fields() -> None:
    record = logging.makeLogRecord({"msg": "check-in recorded", "levelname": "INFO", "kiosk": "lobby-1"})
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == "check-in recorded" and entry["kiosk"] == "lobby-1"


def test_kiosks_shows_the_schedule_rows_a_kiosk_left_out() -> None:
    from hub.desk_cli import _rows_cell

    assert _rows_cell({"rejected": {"schedule_row": 2, "not_json": 1}}) == "  schedule rows left out 2"
    assert _rows_cell({"rejected": {"not_json": 1}}) == "" and _rows_cell({}) == "" and _rows_cell(None) == ""
