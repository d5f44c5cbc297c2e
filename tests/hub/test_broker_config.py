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

from config.settings import BrokerSettings, HubSettings, Settings
from core.errors import ConfigError
from devtools.local_broker import Broker, Credentials, free_port
from hub.broker_config import password_line
from hub.command_client import cli_identity
from kiosk.cli import main
from sync import messages as m
from sync.acl import render_acl
from sync.link import LinkEvent, MqttLink
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.site import RecordingKiosk, checkin, start_hub, wait_for

TREE = TopicTree("acme", "main")


def _write_site(tmp_path: Path, port: int, extra: tuple[str, ...] = ()) -> Path:
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
        "--persistence-dir", f"{tmp_path / 'data'}/", *extra,
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
        deadline = time.monotonic() + 60
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
        first = events.get(timeout=60)
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


def test_a_phone_line_reads_its_caller_id_answers_and_must_be_a_kiosk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _write_site(tmp_path / "ok", 8883, ("--line", "lobby-2"))
    blocks = {b.split("\n", 1)[0]: b for b in (out / "acl").read_text().split("\n\n")}
    assert "topic read clinic/v1/acme/main/hub/caller/lobby-2" in blocks["user lobby-2"]
    assert "hub/caller" not in blocks["user lobby-1"]
    with pytest.raises(AssertionError):  # main says why and exits 1
        _write_site(tmp_path / "bad", 8883, ("--line", "phone-9"))
    assert "--line phone-9: a phone line needs its login as a --kiosk too" in capsys.readouterr().err


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


# --- issue 11: a login cannot take over another client's persistent session ------------


def _events_until(events: queue.Queue[LinkEvent], kind: str, timeout: float) -> list[LinkEvent]:
    seen: list[LinkEvent] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen.append(events.get(timeout=0.05))
        except queue.Empty:
            continue
        if seen[-1].kind == kind:
            break
    return seen


def _hub_link(settings: BrokerSettings, events: queue.Queue[LinkEvent]) -> MqttLink:
    """The hub's own connection: client id "hub", a persistent session, the check-ins."""
    return MqttLink(
        settings, "hub", events.put, subscriptions=[f"{TREE.base}/kiosk/+/checkin"], persistent_session=True
    )


def _takeover(hub_login: BrokerSettings, kiosk_login: BrokerSettings) -> tuple[bool, list[str], list[str]]:
    """A kiosk's login connects with the hub's client id, once while the hub is connected and
    once while it is away with a check-in queued for it. (Was the hub thrown off, what the
    impostor received, what the hub received on its return.)"""
    hub_events: queue.Queue[LinkEvent] = queue.Queue()
    hub = _hub_link(hub_login, hub_events)
    hub.start()
    assert _events_until(hub_events, "connected", 10)[-1].kind == "connected"
    impostor_events: queue.Queue[LinkEvent] = queue.Queue()
    impostor = MqttLink(kiosk_login, "hub", impostor_events.put, persistent_session=True)
    impostor.start()
    try:
        assert _events_until(impostor_events, "connected", 10)[-1].kind == "connected"
        thrown_off = any(e.kind == "disconnected" for e in _events_until(hub_events, "disconnected", 1.0))
        impostor.stop()
        hub.stop()  # a clean disconnect: the hub's session stays at the broker
        kiosk_events: queue.Queue[LinkEvent] = queue.Queue()
        kiosk = MqttLink(kiosk_login, "lobby-1", kiosk_events.put)
        kiosk.start()
        assert _events_until(kiosk_events, "connected", 10)[-1].kind == "connected"
        kiosk.publish(TREE.checkin(kiosk_login.username), b"queued-for-the-hub", qos=1)
        assert _events_until(kiosk_events, "published", 5)[-1].ok
        kiosk.stop()
        impostor_events = queue.Queue()
        impostor = MqttLink(kiosk_login, "hub", impostor_events.put, persistent_session=True)
        impostor.start()
        got = [
            e.payload.decode() for e in _events_until(impostor_events, "message", 2) if e.kind == "message"
        ]
        impostor.stop()
        hub_events = queue.Queue()
        hub = _hub_link(hub_login, hub_events)
        hub.start()
        back = [e.payload.decode() for e in _events_until(hub_events, "message", 5) if e.kind == "message"]
        return thrown_off, got, back
    finally:
        impostor.stop()
        hub.stop()


def test_a_kiosk_login_with_the_hubs_client_id_does_not_get_the_hubs_session(
    site_broker: tuple[int, Path],
) -> None:
    port, out = site_broker
    assert "use_username_as_clientid true" in (out / "mosquitto.conf").read_text()
    thrown_off, impostor_got, hub_got = _takeover(
        _settings(port, out, "hub", "hub-secret-1"), _settings(port, out, "lobby-1", "k1-secret-11")
    )
    assert not thrown_off  # the impostor is "lobby-1" at the broker, whatever id it asked for
    assert impostor_got == []
    assert hub_got == ["queued-for-the-hub"]  # the hub's session is whole


def test_without_the_binding_the_same_login_takes_the_hubs_session(tmp_path: Path) -> None:
    """The control: a broker that keeps the client's own id (mosquitto's default) lets the
    kiosk's password throw the hub off and read what was queued for it."""
    creds = Credentials(
        {"hub": "hub-secret-1", "lobby-1": "k1-secret-11"}, render_acl(TREE, "hub", ["lobby-1"])
    )
    broker = Broker(tmp_path / "plain", creds=creds)
    broker.start()
    try:
        thrown_off, impostor_got, hub_got = _takeover(
            broker.settings("hub", "hub-secret-1"), broker.settings("lobby-1", "k1-secret-11")
        )
    finally:
        broker.stop()
    assert thrown_off
    assert impostor_got == ["queued-for-the-hub"] and hub_got == []


def test_the_practice_cli_never_logs_in_as_the_hub(tmp_path: Path) -> None:
    hub_login = BrokerSettings(username="hub", password="hub-secret-1")
    on_the_hub = Settings(broker=hub_login, hub=HubSettings(client_id="hub"))
    with pytest.raises(ConfigError, match="cli_username"):
        cli_identity(on_the_hub)
    own = replace(on_the_hub, hub=replace(on_the_hub.hub, cli_username="desk", cli_password="desk-secret-1"))
    broker, client_id = cli_identity(own)
    assert (broker.username, broker.password) == ("desk", "desk-secret-1") and client_id != "hub"
    anonymous = Settings()  # a broker without logins: nothing to take over by name
    assert cli_identity(anonymous)[0].username == ""
