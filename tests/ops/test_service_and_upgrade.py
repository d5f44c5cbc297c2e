"""The services under a (fake) systemd: READY, watchdog pets, clean stop; upgrades on old
state directories; logs without patient data."""

from __future__ import annotations

import io
import json
import logging
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.logs import JsonFormatter
from domain.flow import CheckInFlow
from hub.migrations import HUB_MIGRATIONS
from hub.sample import sample_morning
from sync.cache import KioskCache
from sync.migrations import KIOSK_MIGRATIONS
from sync.sqlite import Migration, integrity_ok, open_database, schema_version
from tests.support.broker import Broker, broker_toml
from tests.support.clock import wall_today
from tests.support.site import RecordingKiosk, start_hub, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, broker: Broker) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nid = "lobby-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path}"\n'
        + broker_toml(broker, reconnect_min_s=0.1)
        + f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
        "[ui]\nfullscreen = false\n"
    )
    return path


@pytest.mark.parametrize(
    ("command", "extra_env"),
    [
        (["hub", "run", "--sample"], {}),
        (["run", "--headless"], {}),
        (["run"], {"QT_QPA_PLATFORM": "offscreen"}),  # the touch UI: READY once the screen is up
    ],
    ids=["hub", "kiosk-headless", "kiosk-ui"],
)
def test_services_notify_ready_pet_the_watchdog_and_stop_cleanly(
    broker: Broker, tmp_path: Path, command: list[str], extra_env: dict[str, str]
) -> None:
    sock_path = tmp_path / "notify.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(sock_path))
    server.settimeout(30)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "NOTIFY_SOCKET": str(sock_path),
        "WATCHDOG_USEC": "1000000",
        "KIOSK_CONFIG": str(_config(tmp_path, broker)),
        **extra_env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", *command],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        got = [server.recv(100).decode() for _ in range(3)]
        assert got[0] == "READY=1"
        assert got[1:] == ["WATCHDOG=1", "WATCHDOG=1"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        server.setblocking(False)
        rest = []
        while True:
            try:
                rest.append(server.recv(100).decode())
            except BlockingIOError:
                break
        assert rest[-1] == "STOPPING=1"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
        server.close()


@pytest.mark.parametrize(("name", "migrations"), [("kiosk", KIOSK_MIGRATIONS), ("hub", HUB_MIGRATIONS)])
def test_every_earlier_schema_upgrades_to_the_newest(
    tmp_path: Path, name: str, migrations: list[Migration]
) -> None:
    for applied in range(len(migrations)):
        path = tmp_path / f"{name}-{applied}.sqlite"
        old = open_database(path, migrations[:applied])
        assert schema_version(old) == applied
        old.close()
        new = open_database(path, migrations)
        assert schema_version(new) == len(migrations) and integrity_ok(new)
        new.close()


def test_a_new_version_serves_an_old_state_directory(broker: Broker, tmp_path: Path) -> None:
    """A cache written by this version survives a restart of the newest code with its data."""
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    wait_for(lambda: kiosk.appointments() == 27, what="schedule")
    kiosk.stop()
    hub.stop()
    cache = KioskCache.open(tmp_path / "lobby-1" / "kiosk.sqlite")
    assert len(cache.providers()) == 4 and integrity_ok(cache.db)
    cache.close()


def test_no_patient_name_or_birth_date_in_any_log_line(broker: Broker, tmp_path: Path) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="schedule")
        cache = KioskCache.open(tmp_path / "lobby-1" / "kiosk.sqlite")
        clock = ManualClock(datetime.combine(wall_today(), datetime.min.time()).replace(hour=8, minute=10))
        flow = CheckInFlow(cache, kiosk.sync.submit, clock, "lobby-1", cache_age=lambda: 0.0)
        plan = sample_morning(wall_today())
        for appt in [a for a in plan.appointments if a.provider_id == "chen"][:4]:
            flow.reset()
            flow.start("dob")
            flow.enter_dob(datetime.fromisoformat(appt.dob).strftime("%m%d%Y"))
            if flow.view.screen == "letters":
                flow.enter_letters(appt.last_name[:3])
            flow.confirm(True)
        flow.start("code")
        flow.enter_code("NOSUCH")  # a miss is logged too
        cache.close()
        wait_for(lambda: hub.call(lambda s: s.checkin_count()) >= 1, what="check-ins")
    finally:
        kiosk.stop()
        hub.stop()
        root.removeHandler(handler)
        root.setLevel(old_level)
    text = stream.getvalue()
    assert "check-in recorded" in text  # the logs do say what happened
    for appt in sample_morning(wall_today()).appointments:
        for secret in (appt.last_name, appt.dob, appt.dob.replace("-", "")):
            assert secret not in text, f"patient data in the logs: {secret}"
    for line in text.splitlines():
        json.loads(line)  # every line is one JSON object
    time.sleep(0)
