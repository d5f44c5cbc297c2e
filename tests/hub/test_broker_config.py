"""`kiosk hub broker-config` writes a mosquitto configuration that works as written:
mosquitto starts from exactly those files, the hub and a kiosk sync over TLS with their
passwords, and a kiosk is refused another kiosk's topic."""

from __future__ import annotations

import io
import os
import queue
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest

from config.settings import BrokerSettings
from devtools.local_broker import Broker, free_port
from hub.broker_config import password_line
from kiosk.cli import main
from sync import messages as m
from sync.link import LinkEvent, MqttLink
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.site import RecordingKiosk, checkin, start_hub, wait_for

TREE = TopicTree("acme", "main")


def _write_site(tmp_path: Path, port: int) -> Path:
    certs = Broker(tmp_path / "certs", tls=True)  # only for its CA and server certificate
    (tmp_path / "hub.pw").write_text("hub-secret-1\n")
    (tmp_path / "lobby-2.pw").write_text("k2-secret-22\n")
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\npractice = "acme"\nsite = "main"\n[hub]\nclient_id = "hub"\n')
    out = tmp_path / "mosquitto"
    args = [
        "--config", str(config), "hub", "broker-config", "--out", str(out),
        "--ca", str(certs.workdir / "ca.crt"), "--cert", str(certs.workdir / "server.crt"),
        "--key", str(certs.workdir / "server.key"),
        "--hub-password-file", str(tmp_path / "hub.pw"),
        "--kiosk", "lobby-1:k1-secret-11", "--kiosk-password-file", f"lobby-2:{tmp_path / 'lobby-2.pw'}",
        "--port", str(port), "--bind", "127.0.0.1",
        "--persistence-dir", f"{tmp_path / 'data'}/",
    ]  # fmt: skip
    if os.geteuid() == 0:
        args += ["--run-as", "root"]  # as root mosquitto would read the files as user mosquitto
    (tmp_path / "data").mkdir()
    stdout = io.StringIO()
    with redirect_stdout(stdout):
        assert main(args) == 0
    assert "mosquitto.conf" in stdout.getvalue()
    return out


@pytest.fixture
def site_broker(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = free_port()
    out = _write_site(tmp_path, port)
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen([exe, "-c", str(out / "mosquitto.conf")], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr is not None else ""
                raise RuntimeError(f"mosquitto refused the written config: {err}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port, out
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stderr:
            proc.stderr.close()


def _settings(port: int, out: Path, user: str, password: str) -> BrokerSettings:
    return BrokerSettings(
        host="localhost", port=port, username=user, password=password, ca_file=str(out / "ca.crt"),
        reconnect_min_s=0.1, reconnect_max_s=0.5,
    )  # fmt: skip


def _publish_as(settings: BrokerSettings, topic: str, payload: bytes) -> list[LinkEvent]:
    """Connect, publish once at QoS 1, and collect what follows for a moment."""
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(settings, f"probe-{settings.username}", events.put)
    link.start()
    seen: list[LinkEvent] = []
    try:
        first = events.get(timeout=10)
        seen.append(first)
        if first.kind != "connected":
            return seen
        link.publish(topic, payload, qos=1)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                seen.append(events.get(timeout=0.1))
            except queue.Empty:
                continue
        return seen
    finally:
        link.stop()


def test_the_files_carry_their_reasons_and_private_modes(tmp_path: Path) -> None:
    out = _write_site(tmp_path, 8883)
    conf = (out / "mosquitto.conf").read_text()
    for setting in ("max_queued_messages 0", "autosave_interval 1", "persistent_client_expiration 14d"):
        line = conf.index(setting)
        assert conf[:line].rstrip().splitlines()[-1].startswith("#"), f"{setting} has no reason above it"
    assert "allow_anonymous false" in conf and "listener 8883 127.0.0.1" in conf
    for name in ("passwords", "acl", "server.key"):
        assert (out / name).stat().st_mode & 0o777 == 0o640
    users = [line.split(":")[0] for line in (out / "passwords").read_text().splitlines()]
    assert users == ["hub", "lobby-1", "lobby-2"]
    assert "k1-secret" not in (out / "passwords").read_text()


def test_password_lines_are_mosquitto_2_hashes() -> None:
    line = password_line("lobby-1", "k1-secret-11", salt=b"\x00" * 12)
    user, _, hashed = line.partition(":")
    assert user == "lobby-1" and hashed.startswith("$7$101$AAAAAAAAAAAAAAAA$")


def test_mosquitto_runs_from_the_written_files(site_broker: tuple[int, Path], tmp_path: Path) -> None:
    port, out = site_broker
    hub = start_hub(_settings(port, out, "hub", "hub-secret-1"), tmp_path)
    kiosk = RecordingKiosk(_settings(port, out, "lobby-2", "k2-secret-22"), tmp_path, "lobby-2").start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="the day over TLS with a password")
        appt = kiosk.sync.call(lambda c: c.appointments_for("martinez")[0])
        kiosk.sync.submit(checkin(appt, kiosk_id="lobby-2"))
        wait_for(lambda: hub.call(lambda s: s.checkin_count()) == 1, what="the check-in at the hub")

        own = _publish_as(_settings(port, out, "lobby-1", "k1-secret-11"), TREE.health("lobby-1"), b"{}")
        assert [e.kind for e in own][:2] == ["connected", "published"] and own[1].ok
        forged = encode(m.CheckIn("k" * 32, "lobby-2", appt.id, appt.provider_id, appt.start, "dob"))
        other = _publish_as(_settings(port, out, "lobby-1", "k1-secret-11"), TREE.checkin("lobby-2"), forged)
        # mosquitto 2 answers "Not authorized" (MQTT 5) and then closes the connection.
        kinds = [(e.kind, e.ok) for e in other][:3]
        assert kinds == [("connected", True), ("published", False), ("disconnected", True)], other
        # Under 3.1.1 the PUBACK cannot say no: it says success, then the connection closes.
        old = _publish_as(replace(_settings(port, out, "lobby-1", "k1-secret-11"), protocol="3.1.1"),
                          TREE.checkin("lobby-2"), forged)  # fmt: skip
        kinds = [(e.kind, e.ok) for e in old][:3]
        assert kinds == [("connected", True), ("published", True), ("disconnected", True)], old
        time.sleep(0.5)
        assert hub.call(lambda s: s.checkin_count()) == 1  # the forged check-ins never reached the hub

        wrong = _publish_as(_settings(port, out, "lobby-1", "wrong-password"), TREE.health("lobby-1"), b"{}")
        assert wrong[0].kind == "refused"
    finally:
        kiosk.stop()
        hub.stop()
