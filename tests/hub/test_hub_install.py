"""``pip install .[hub]`` in a fresh venv is a practice hub server: none of the kiosk's Qt,
OpenCV, speech or serial packages, and ``kiosk-hub run --sample`` serves a real broker
(retained availability and schedules) until SIGTERM, then exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.sample import PROVIDERS, sample_morning
from sync import messages as m
from sync.topics import TopicTree
from sync.wire import decode
from tests.support.broker import Broker, broker_toml, connect

ROOT = Path(__file__).resolve().parents[2]
TREE = TopicTree("acme", "main")
KIOSK_ONLY = ("PySide6", "cv2", "vosk", "serial")
_NOT_SHIPPED = {".venv", ".git", "build"}  # as scripts/install.sh copies the checkout


def _copy_source(dest: Path) -> None:
    """The checkout without its venv, git and build output (pip builds in the tree)."""
    archive = dest.parent / "src.tar"
    with tarfile.open(archive, "w") as tar:
        for entry in sorted(ROOT.iterdir()):
            if entry.name not in _NOT_SHIPPED:
                tar.add(entry, arcname=entry.name)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="tar")
    archive.unlink()


def _env(home: Path) -> dict[str, str]:
    """This process's environment without PYTHONPATH: the hub must run from what pip installed."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "KIOSK_CONFIG"}}
    return {**env, "HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.fixture(scope="module")
def hub_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hub-install")
    src = base / "src"
    _copy_source(src)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    home = Path(os.environ.get("HOME", str(base)))  # pip's cache lives there
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", f"{src}[hub]"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=_env(home),
        cwd=base,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    return venv


class _Retained:
    """The retained messages of the hub's topics, as a kiosk would see them on connecting."""

    def __init__(self, broker: Broker) -> None:
        self.topics: dict[str, bytes] = {}
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="install-test")
        self.client.on_connect = lambda c, *_: c.subscribe(
            [(TREE.hub_availability(), 1), (f"{TREE.base}/schedule/+", 1)]
        )
        self.client.on_message = lambda _c, _u, msg: self.topics.__setitem__(msg.topic, bytes(msg.payload))
        connect(self.client, broker)
        self.client.loop_start()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def wait(self, what: str, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; have {sorted(self.topics)}")


@pytest.fixture
def retained(broker: Broker) -> Iterator[_Retained]:
    watcher = _Retained(broker)
    yield watcher
    watcher.close()


@pytest.mark.slow
@pytest.mark.parametrize("module", KIOSK_ONLY)
def test_the_hub_install_has_no_kiosk_packages(hub_venv: Path, module: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(hub_venv / "bin" / "python"), "-c", f"import {module}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    assert proc.returncode != 0
    assert f"No module named '{module}'" in proc.stderr


@pytest.mark.slow
def test_the_kiosk_command_offers_the_hub_without_the_kiosk_packages(hub_venv: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(hub_venv / "bin" / "kiosk"), "hub", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "run the hub service" in proc.stdout
    assert proc.stderr == ""


@pytest.mark.slow
def test_kiosk_hub_run_serves_the_broker_then_stops_on_sigterm(
    hub_venv: Path, broker: Broker, retained: _Retained, tmp_path: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path / "kiosk"}"\n'
        + broker_toml(broker, reconnect_min_s=0.1)
        + f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
    )
    hub = subprocess.Popen(
        [str(hub_venv / "bin" / "kiosk-hub"), "--config", str(config), "run", "--sample"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    try:
        schedules = [TREE.schedule(p) for p in PROVIDERS]
        retained.wait("availability and schedules", lambda: all(t in retained.topics for t in schedules))
        retained.wait("online", lambda: TREE.hub_availability() in retained.topics)
        online = decode(retained.topics[TREE.hub_availability()], m.HubAvailability)
        assert online.online and online.date
        day = decode(retained.topics[TREE.schedule("martinez")], m.ProviderSchedule)
        assert day.provider_name == PROVIDERS["martinez"] and len(day.appointments) == 14
        assert day.date == online.date
        time.sleep(1.0)  # a few seconds of service: still running
        assert hub.poll() is None
        hub.send_signal(signal.SIGTERM)
        out, err = hub.communicate(timeout=30)
    finally:
        if hub.poll() is None:
            hub.kill()
            hub.communicate()
    assert hub.returncode == 0, err
    assert "Traceback" not in err
    for appt in sample_morning(date.fromisoformat(online.date)).appointments:
        assert appt.last_name not in out and appt.dob not in out  # logs carry no patient data
    retained.wait(
        "the farewell: offline",
        lambda: not decode(retained.topics[TREE.hub_availability()], m.HubAvailability).online,
    )
