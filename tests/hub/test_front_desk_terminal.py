"""A front-desk PC that holds only the practice's login: the broker's address, its CA and
the practice MQTT credential - no hub database, no store key. Against mosquitto as
`kiosk hub broker-config` writes it (TLS, passwords, the generated ACL), every front-desk
command works there, the provider's name resolved by the running hub; the hub machine's
own commands say they need it; a kiosk's login may not ask the hub anything."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from config import load_settings
from config.settings import BrokerSettings
from core.errors import WireError
from devtools.local_broker import Broker, free_port
from hub.desk_cli import hub_database
from hub.origin import RequestOrigin
from hub.queries import answer_query
from hub.sample import sample_morning
from hub.service import HubService
from hub.store import HubStore
from kiosk.cli import main
from sync import query_messages as qm
from sync.acl import render_acl
from sync.topics import TopicTree
from sync.wire import decode, encode
from tests.support.clock import wall_today
from tests.support.site import RecordingKiosk, start_hub, wait_for

TREE = TopicTree("acme", "main")
SECRETS = {"hub": "hub-secret-1", "lobby-1": "k1-secret-11", "desk": "desk-secret-1"}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """The site's mosquitto, from the files `kiosk hub broker-config` writes (a practice
    user ``desk`` included), listening on a free port."""
    port = free_port()
    certs = Broker(tmp_path / "certs", tls=True)  # only for its CA and server certificate
    for user, secret in SECRETS.items():
        (tmp_path / f"{user}.pw").write_text(secret + "\n")
    config = tmp_path / "hub.toml"
    config.write_text('[kiosk]\npractice = "acme"\nsite = "main"\n[hub]\nclient_id = "hub"\n')
    out = tmp_path / "mosquitto"
    (tmp_path / "data").mkdir()
    args = [
        "--config", str(config), "hub", "broker-config", "--out", str(out),
        "--ca", str(certs.workdir / "ca.crt"), "--cert", str(certs.workdir / "server.crt"),
        "--key", str(certs.workdir / "server.key"),
        "--hub-password-file", str(tmp_path / "hub.pw"),
        "--kiosk-password-file", f"lobby-1:{tmp_path / 'lobby-1.pw'}",
        "--practice-user", f"desk:{tmp_path / 'desk.pw'}",
        "--port", str(port), "--bind", "127.0.0.1", "--persistence-dir", f"{tmp_path / 'data'}/",
    ]  # fmt: skip
    if os.geteuid() == 0:
        args += ["--run-as", "root"]  # as root mosquitto would read the files as user mosquitto
    with redirect_stdout(io.StringIO()):
        assert main(args) == 0
    assert render_acl(TREE, "hub", ["lobby-1"], ["desk"]) in (out / "acl").read_text()
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen([exe, "-c", str(out / "mosquitto.conf")], stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _listening(port) or proc.poll() is not None, 30, "mosquitto to listen")
        assert proc.poll() is None, "mosquitto refused the written config"
        yield port, out
    finally:
        proc.terminate()
        proc.wait(10)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _login(port: int, out: Path, user: str) -> BrokerSettings:
    return BrokerSettings(
        host="localhost", port=port, username=user, password=SECRETS[user], ca_file=str(out / "ca.crt"),
        reconnect_min_s=0.1, reconnect_max_s=0.5,
    )  # fmt: skip


def _terminal(tmp_path: Path, port: int, out: Path) -> Path:
    """What a front-desk PC holds: the site's names, the broker's address and CA, the
    practice login (its password in a 0600 file). No [hub] section, no state directory."""
    password = tmp_path / "desk" / "mqtt.password"
    password.parent.mkdir()
    password.write_text(SECRETS["desk"] + "\n")
    password.chmod(0o600)
    config = tmp_path / "desk" / "kiosk.toml"
    config.write_text(
        f'[kiosk]\npractice = "acme"\nsite = "main"\n'
        f'[broker]\nhost = "localhost"\nport = {port}\nca_file = "{out / "ca.crt"}"\n'
        f'username = "desk"\npassword_file = "{password}"\n'
    )
    return config


def _cli(config: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--config", str(config), "hub", *args])
    return code, out.getvalue()


def _shown(kiosk: RecordingKiosk, provider: str) -> str:
    status = kiosk.status(provider)
    return "" if status is None else status.state


def _status_of(hub: HubService, provider: str) -> tuple[str, str]:
    status = hub.call(lambda store: store.status(provider))
    return ("", "") if status is None else (status.state, status.reason)


def test_every_front_desk_command_works_from_a_terminal_with_only_its_login(
    site: tuple[int, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port, out = site
    desk = _terminal(tmp_path, port, out)
    assert not hub_database(load_settings(desk)).exists()  # nothing of the hub's here
    hub = start_hub(_login(port, out, "hub"), tmp_path / "hub-machine")
    kiosk = RecordingKiosk(_login(port, out, "lobby-1"), tmp_path / "kiosks").start()
    try:
        wait_for(lambda: hub.link.connected, 30, "the hub to connect")
        wait_for(lambda: kiosk.appointments() > 0, 30, "the kiosk to hold the day")

        code, said = _cli(desk, "status", "martinez", "out", "--reason", "sick", "--timeout", "30")
        assert code == 0, said
        assert said.startswith("Applied: martinez: out (status version")
        assert _status_of(hub, "martinez") == ("out", "sick")
        wait_for(lambda: _shown(kiosk, "martinez") == "out", 30, "the lobby to show it")

        # A part of a name, resolved by the running hub (the terminal has no list of its own).
        code, said = _cli(desk, "status", "Chen", "late", "20", "--timeout", "30")
        assert code == 0, said
        assert said.startswith("Applied: chen: late 20")
        assert _status_of(hub, "chen")[0] == "late"
        capsys.readouterr()
        code, said = _cli(desk, "status", "Dr.", "late", "5", "--timeout", "30")
        assert code == 1 and said == ""  # several providers: refused before anything is sent
        assert "'Dr.' matches 4 providers" in capsys.readouterr().err

        wait_for(lambda: hub.call(lambda s: len(s.kiosks())) == 1, 30, "the hub to know the kiosk")
        code, said = _cli(desk, "kiosks", "--json", "--timeout", "30")
        assert code == 0, said
        assert [row["id"] for row in json.loads(said)] == ["lobby-1"]
        code, said = _cli(desk, "kiosks", "--timeout", "30")
        assert code == 0 and said.startswith("hub epoch ") and "lobby-1" in said, said

        code, said = _cli(desk, "health", "--json", "--timeout", "30")
        assert code == 0, said
        assert [k["id"] for k in json.loads(said)["kiosks"]] == ["lobby-1"]

        code, said = _cli(desk, "notifications", "--json", "--timeout", "30")
        assert code == 0, said
        assert set(json.loads(said)) == {"counts", "channels", "requests", "optouts", "messages"}

        code, said = _cli(desk, "escalations", "--all", "--timeout", "30")
        assert code == 0 and said.split()[1] == "escalations", said

        # What needs the hub machine says so, and which commands the terminal has.
        capsys.readouterr()
        code, said = _cli(desk, "checkins")
        assert code == 1 and said == ""
        err = capsys.readouterr().err
        assert "`kiosk hub checkins` reads the hub's database, which is not on this machine" in err
        assert "run it on the hub machine" in err and "status, ack, kiosks" in err
    finally:
        kiosk.stop()
        hub.stop()

    # The hub gone: a question is not answered, and the terminal says so with its exit code.
    code, said = _cli(desk, "kiosks", "--timeout", "2")
    assert code == 4 and said.startswith("Not delivered: no answer from the hub about kiosks"), said
    code, said = _cli(desk, "status", "martinez", "on-time", "--timeout", "2")
    assert code == 4 and "nothing was changed" in said, said


def test_the_acl_lets_only_practice_logins_ask_and_read_the_answers() -> None:
    acl = render_acl(TREE, "hub", ["lobby-1"], ["desk"])
    kiosk_part = acl.split("user lobby-1", 1)[1]
    desk_part = acl.split("user desk", 1)[1].split("user lobby-1", 1)[0]
    assert f"topic write {TREE.hub_query()}" in desk_part
    assert TREE.hub_query() not in kiosk_part and "hub/answer" not in kiosk_part
    assert not any(sub.endswith(("hub/#", "hub/answer/+")) for sub in TREE.kiosk_subscriptions("lobby-1"))
    routes = TREE.route(TREE.hub_query()), TREE.route(TREE.hub_answer("cli"))
    assert [r.kind if r else None for r in routes] == [qm.HubQuery, qm.HubQueryAnswer]


def test_the_hub_answers_only_questions_that_came_from_a_practice_login(tmp_path: Path) -> None:
    store = HubStore.open(tmp_path / "hub.sqlite")
    try:
        store.load_day(sample_morning(wall_today()))
        stats: Counter[str] = Counter()
        query = qm.HubQuery("k" * 16, "providers")
        assert answer_query(store, TREE, stats, query, RequestOrigin.KIOSK) == []
        assert stats["queries_refused"] == 1
        [(topic, answer, retain)] = answer_query(store, TREE, stats, query, RequestOrigin.PRACTICE_CLI)
        assert (topic, retain) == (TREE.hub_answer("cli"), False)
        assert isinstance(answer, qm.HubQueryAnswer) and answer.key == query.key and not answer.error
        assert json.loads(answer.body)["martinez"] == "Dr. Ana Martinez"
        assert decode(encode(answer), qm.HubQueryAnswer) == answer
    finally:
        store.close()


def test_a_question_out_of_bounds_is_refused_at_decode() -> None:
    with pytest.raises(WireError, match="limit"):
        decode(encode(qm.HubQuery("k" * 16, "notifications", limit=0)), qm.HubQuery)
    with pytest.raises(WireError):
        decode(b'{"kind":"hub_query","schema":"1.0","key":"kkkkkkkkkkkk","view":"checkins"}', qm.HubQuery)
