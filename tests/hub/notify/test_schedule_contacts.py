"""A schedule export with a malformed contact cell: ``kiosk hub run`` names the file, the
row and the column (never the value), loads the rest of the day, and keeps running."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import sqlcipher3

from core.errors import KioskError
from hub.schedule_io import write_csv
from hub.store import HubStore
from tests.hub.notify.rig import future_morning

ROOT = Path(__file__).resolve().parents[3]


def test_a_bad_contact_cell_refuses_that_row_and_the_hub_keeps_running(tmp_path: Path) -> None:
    plan = future_morning(3)
    schedule = tmp_path / "today.csv"
    write_csv(plan, schedule)
    lines = schedule.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("phone")] = "+1 (555) 86X"  # a typo in the practice's export, row 4
    cells[header.index("consent")] = "yes"
    lines[3] = ",".join(cells)
    schedule.write_text("\n".join(lines) + "\n")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "hub-side"\nstate_dir = "{tmp_path}"\n[broker]\nport = 1\n'
        f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "--config",
            str(config),
            "hub",
            "run",
            "--schedule",
            str(schedule),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert first.startswith(f"schedule: {schedule}: row 4: column phone:"), first
        assert "86X" not in first and "the rest of the day loads" in first
        db = tmp_path / "hub" / "hub.sqlite"
        deadline = time.monotonic() + 30
        loaded = 0
        while time.monotonic() < deadline and loaded < len(plan.appointments):
            loaded = _loaded(db)
            time.sleep(0.1)
        assert loaded == len(plan.appointments)  # every appointment, the refused row's too
        assert proc.poll() is None  # and the hub runs on
    finally:
        proc.terminate()
        proc.wait(20)
        if proc.stderr is not None:
            proc.stderr.close()


def _loaded(db: Path) -> int:
    """Appointments in the hub's database; 0 while the starting hub is still creating it."""
    if not db.exists():
        return 0
    try:
        store = HubStore.open(db, readonly=True)
    except KioskError:
        return 0
    try:
        return len(store.appointments())
    except sqlcipher3.dbapi2.OperationalError:  # its tables are not there yet
        return 0
    finally:
        store.close()
