"""``kiosk hub web-password`` stores a scrypt hash; ``kiosk hub run`` with ``[hub.web]``
serves the dashboard and prints its address; the schema migration adds the tables."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import httpx
import pytest

from domain.staff import hash_secret, verify_secret
from hub.cli import main
from hub.store import HubStore
from hub.web.records import password_hash
from tests.support.broker import Broker

ROOT = Path(__file__).resolve().parents[3]


def _config(tmp_path: Path, broker_port: int = 1, web: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path}"\n'
        f"[broker]\nport = {broker_port}\nreconnect_min_s = 0.1\n"
        f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
        f"{web}"
        f'[staff.members]\nann = "front_desk:{hash_secret("0000", n=2**4)}"\n'
    )
    return path


def _set(config: Path, staff_id: str, password: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--config", str(config), "web-password", staff_id, "--stdin"])
    return code, out.getvalue()


def test_web_password_stores_only_a_scrypt_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path)
    code, out = _set(config, "ann", "a-long-password", monkeypatch)
    assert code == 0 and "ann" in out

    store = HubStore.open(tmp_path / "hub" / "hub.sqlite", readonly=True)
    try:
        stored = password_hash(store, "ann")
        # Every row of every table (iterdump is the stdlib's; the store is a SQLCipher file).
        dump = "\n".join(
            str(row) for t in store.db.table_names() for row in store.db.execute(f"SELECT * FROM [{t}]")
        )
    finally:
        store.close()
    assert stored.startswith("scrypt$") and verify_secret("a-long-password", stored)
    assert "ann" in dump and "a-long-password" not in dump


@pytest.mark.parametrize(
    ("staff_id", "password", "why"),
    [("nobody", "a-long-password", "not in [staff.members]"), ("ann", "short", "at least 10 characters")],
)
def test_web_password_refuses_with_a_reason(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    staff_id: str,
    password: str,
    why: str,
) -> None:
    code, _out = _set(_config(tmp_path), staff_id, password, monkeypatch)
    assert code == 1
    assert why in capsys.readouterr().err


def test_hub_run_serves_the_dashboard_when_hub_web_is_enabled(broker: Broker, tmp_path: Path) -> None:
    config = _config(tmp_path, broker.port, "[hub.web]\nenabled = true\nport = 0\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "hub", "run", "--sample"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        line = ""
        while not line.startswith("dashboard: "):
            line = proc.stdout.readline()
            assert line, "the hub exited without printing the dashboard's address"
        url = line.split(" ", 1)[1].strip()
        answer = httpx.get(url + "login", timeout=10)
        assert answer.status_code == 200 and 'id="login-form"' in answer.text
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


def test_web_password_remove_deletes_the_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path)
    assert _set(config, "ann", "a-long-password", monkeypatch)[0] == 0
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--config", str(config), "web-password", "ann", "--remove"])
    assert code == 0 and "removed" in out.getvalue()
    store = HubStore.open(tmp_path / "hub" / "hub.sqlite", readonly=True)
    try:
        assert password_hash(store, "ann") == ""
    finally:
        store.close()
