"""A technician provisions a unit in one command; the doctor checks it; reset wipes it."""

from __future__ import annotations

import io
import re
import stat
from contextlib import redirect_stdout
from datetime import timedelta
from pathlib import Path

import pytest

from config import load_settings
from core.errors import ConfigError
from domain.staff import StaffDirectory, parse_members
from kiosk.cli import main
from kiosk.ops import doctor, factory_reset, purge
from sync import messages as m
from sync.acl import render_acl
from sync.cache import KioskCache
from sync.topics import TopicTree
from tests.support.broker import Broker, Credentials, broker_url
from tests.support.clock import wall_today
from tests.support.site import RecordingKiosk, start_hub, wait_for


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def _provision(tmp_path: Path, broker: Broker, *extra: str) -> tuple[int, str, Path]:
    output = tmp_path / "etc" / "kiosk.toml"
    code, out = _run(
        "provision",
        "--kiosk-id",
        "lobby-1",
        "--practice",
        "acme",
        "--site",
        "main",
        *broker_url(broker),
        "--staff",
        "ana:supervisor:482913",
        "--staff",
        "ben:front_desk:5827",
        "--set",
        f"kiosk.state_dir={str(tmp_path / 'state')!r}",
        "--output",
        str(output),
        *extra,
    )
    return code, out, output


def test_provision_writes_a_checked_config_with_safe_modes_and_hashed_pins(
    broker: Broker, tmp_path: Path
) -> None:
    code, out, output = _provision(tmp_path, broker)
    assert code == 0, out
    assert "[ok  ] broker: connected" in out and "0 failed" in out
    assert "[ok  ] speech: pocketsphinx with its English model" in out
    assert stat.S_IMODE(output.stat().st_mode) == 0o640
    text = output.read_text()
    # A PIN never appears as itself: a hex salt or verifier may contain its digits by chance.
    assert not _plain(text, "482913") and not _plain(text, "5827") and "proof$" not in text
    settings = load_settings(output, env={})
    assert (settings.kiosk.id, settings.broker.port) == ("lobby-1", broker.port)
    directory = StaffDirectory(settings.staff.members, settings.staff.badge_key)
    assert directory.members["ana"].role == "supervisor"
    assert directory.check_pin("ana", "482913") is not None
    assert directory.check_pin("ana", "000000") is None
    assert directory.check_pin("ben", "482913") is None  # ana's PIN is not ben's
    assert "--hub-staff PATH" in out  # the hub needs its own list
    assert not list(output.parent.glob(".kiosk.toml.*"))  # no temporary file left behind


def test_provision_names_a_missing_speech_model(broker: Broker, tmp_path: Path) -> None:
    code, out, output = _provision(
        tmp_path,
        broker,
        "--language",
        "es",
        "--speech-engine",
        "vosk",
        "--speech-model",
        str(tmp_path / "no-model"),
    )
    assert code == 1
    assert "[FAIL] speech:" in out and "kiosk speech install-model" in out
    settings = load_settings(output, env={})
    assert (settings.ui.language, settings.speech.engine) == ("es", "vosk")


def test_provision_over_tls_with_a_password_and_a_wrong_password(tmp_path: Path) -> None:
    tree = TopicTree("acme", "main")
    secure = Broker(
        tmp_path / "secure",
        tls=True,
        creds=Credentials({"lobby-1": "s3cret", "hub": "h"}, render_acl(tree, "hub", ["lobby-1"])),
    )
    secure.start()
    try:
        (tmp_path / "pw").write_text("s3cret\n")
        output = tmp_path / "etc" / "kiosk.toml"
        args = [
            "provision",
            "--kiosk-id",
            "lobby-1",
            "--practice",
            "acme",
            "--site",
            "main",
            "--broker",
            f"mqtts://localhost:{secure.port}",
            "--ca",
            secure.ca_file,
            "--username",
            "lobby-1",
            "--password-file",
            str(tmp_path / "pw"),
            "--set",
            f"kiosk.state_dir={str(tmp_path)!r}",
            "--output",
            str(output),
        ]
        code, out = _run(*args)
        assert code == 0, out
        assert (output.parent / "ca.pem").read_text() == Path(secure.ca_file).read_text()
        assert load_settings(output, env={}).broker.ca_file == str(output.parent / "ca.pem")
        (tmp_path / "pw").write_text("wrong\n")
        code, out = _run(*args)
        assert code == 1
        assert "[FAIL] broker:" in out and "username and password" in out
    finally:
        secure.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--practice", "acme", "--site", "main", "--broker", "mqtt://h"], "--kiosk-id is required"),
        (["--kiosk-id", "a/b", "--practice", "p", "--site", "s", "--broker", "mqtt://h"], "kiosk.id = 'a/b'"),
        (["--kiosk-id", "k", "--practice", "p", "--site", "s", "--broker", "http://h"], "expected mqtt://"),
        (["--kiosk-id", "k", "--practice", "p", "--site", "s", "--broker", "mqtts://h"], "needs --ca"),
        (
            [
                "--kiosk-id",
                "k",
                "--practice",
                "p",
                "--site",
                "s",
                "--broker",
                "mqtt://h",
                "--staff",
                "x:boss:1234",
            ],
            "ROLE one of",
        ),
        (
            [
                "--kiosk-id",
                "k",
                "--practice",
                "p",
                "--site",
                "s",
                "--broker",
                "mqtt://h",
                "--staff",
                "x:supervisor:12",
            ],
            "4 to 12 digits",
        ),
        (
            [
                "--kiosk-id",
                "k",
                "--practice",
                "p",
                "--site",
                "s",
                "--broker",
                "mqtt://h",
                "--set",
                "broker.prot=1",
            ],
            "did you mean 'broker.port'",
        ),
    ],
)
def test_provision_refuses_bad_answers_before_writing_anything(
    tmp_path: Path, args: list[str], message: str
) -> None:
    from kiosk.ops_cli import build_answers
    from kiosk.provision import Answers, fill_in, write_config

    output = tmp_path / "kiosk.toml"
    with pytest.raises(ConfigError, match=message):
        answers: Answers = build_answers([*args, "--output", str(output)])
        write_config(fill_in(answers, None), output)
    assert not output.exists()


def test_doctor_reads_the_running_kiosk_and_its_cache(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="schedule")
        kiosk.sync.call(lambda _c: kiosk.sync._publish_health())
        results = {r.name: r for r in doctor(kiosk.sync.settings, broker_timeout=5)}
        assert results["broker"].ok and results["cache integrity"].ok
        assert results["running kiosk"].ok, results["running kiosk"]
        nothing_owed = "0 waiting to be sent, 0 sent and awaiting the hub's acknowledgement"
        assert results["outbox"].detail == nothing_owed
        assert results["clock"].ok
    finally:
        kiosk.stop()
        hub.stop()


def test_doctor_says_what_to_do_when_the_broker_is_gone(broker: Broker, tmp_path: Path) -> None:
    _code, _out, output = _provision(tmp_path, broker, "--no-verify")
    broker.stop()
    results = {r.name: r for r in doctor(load_settings(output, env={}), broker_timeout=2)}
    assert not results["broker"].ok and "check the broker address" in results["broker"].advice


def test_purge_keeps_only_today(tmp_path: Path) -> None:
    _code, _out, output = _provision_offline(tmp_path)
    settings = load_settings(output, env={})
    cache = KioskCache.open(Path(settings.kiosk.state_dir) / "kiosk.sqlite")
    today, yesterday = wall_today(), wall_today() - timedelta(days=1)
    for day, provider in ((yesterday, "old"), (today, "new")):
        appt = m.Appointment(
            f"{provider}-1", provider, f"{day}T09:00", 15, "Sam", "LEE", "1970-01-01", "ABC234"
        )
        cache.apply_schedule(m.ProviderSchedule(provider, provider, day.isoformat(), 1, [appt]), "t")
    cache.close()
    assert purge(settings) == 1
    cache = KioskCache.open(Path(settings.kiosk.state_dir) / "kiosk.sqlite")
    assert [p.id for p in cache.providers()] == ["new"]
    cache.close()


def test_factory_reset_removes_credentials_caches_and_patient_data(tmp_path: Path) -> None:
    _code, _out, output = _provision_offline(tmp_path)
    settings = load_settings(output, env={})
    KioskCache.open(Path(settings.kiosk.state_dir) / "kiosk.sqlite").close()
    removed = factory_reset(settings, output)
    assert str(output) in removed
    assert not output.exists()
    assert list(Path(settings.kiosk.state_dir).iterdir()) == []
    code, _ = _run("--config", str(output), "reset", "--factory")
    assert code == 2  # no terminal and no --yes: refuses


def _provision_offline(tmp_path: Path) -> tuple[int, str, Path]:
    output = tmp_path / "etc" / "kiosk.toml"
    code, out = _run(
        "provision",
        "--kiosk-id",
        "lobby-1",
        "--practice",
        "acme",
        "--site",
        "main",
        "--broker",
        "mqtt://127.0.0.1:1",
        "--set",
        f"kiosk.state_dir={str(tmp_path / 'state')!r}",
        "--output",
        str(output),
        "--no-verify",
    )
    assert code == 0, out
    return code, out, output


def _answers(tmp_path: Path, *staff: str, practice: str = "acme", kiosk: str = "k") -> list[str]:
    args = ["--kiosk-id", kiosk, "--practice", practice, "--site", "s", "--broker", "mqtt://h"]
    for spec in staff:
        args += ["--staff", spec]
    return args


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["ana:supervisor:1234"], "ana: the PIN is a run of consecutive digits; choose another PIN"),
        (["ana:supervisor:0000"], "ana: the PIN repeats one digit"),
        (["ana:supervisor:1987"], "ana: the PIN looks like a year"),
        (["ana:supervisor:2003"], "ana: the PIN looks like a year"),
        (["ana:supervisor:482913", "ben:front_desk:482913"], "ben: another member already has this PIN"),
        (["ana:supervisor:482913", "ana:front_desk:5827"], "ana: given twice"),
    ],
)
def test_provision_refuses_trivial_and_duplicate_pins(tmp_path: Path, specs: list[str], message: str) -> None:
    from kiosk.ops_cli import build_answers
    from kiosk.provision import write_config

    output = tmp_path / "kiosk.toml"
    with pytest.raises(ConfigError, match=message) as refused:
        write_config(build_answers([*_answers(tmp_path, *specs), "--output", str(output)]), output)
    assert not output.exists()
    if "another member" in message:
        assert "ana" not in str(refused.value)  # whose PIN it is stays unsaid


def test_provision_writes_the_hubs_staff_list_apart_and_kiosks_agree(tmp_path: Path) -> None:
    from dataclasses import replace as dc_replace

    from hub.policy import RolePolicy
    from kiosk.ops_cli import build_answers
    from kiosk.provision import write_config
    from sync.proof import sign

    specs = ("ana:supervisor:482913", "ben:front_desk:5827:CARD-42")
    hub_file = tmp_path / "hub" / "staff-hub.toml"
    first = tmp_path / "a" / "kiosk.toml"
    args = [
        *_answers(tmp_path, *specs, kiosk="lobby-a"),
        "--output",
        str(first),
        "--hub-staff",
        str(hub_file),
    ]
    write_config(build_answers(args), first)
    assert stat.S_IMODE(hub_file.stat().st_mode) == 0o600
    hub_text = hub_file.read_text()
    assert "pin$" not in hub_text and "badge$" not in hub_text and not _plain(hub_text, "482913")
    second = tmp_path / "b" / "kiosk.toml"  # another kiosk, provisioned on its own
    write_config(
        build_answers([*_answers(tmp_path, *specs, kiosk="lobby-b"), "--output", str(second)]), second
    )
    hub_staff = load_settings(hub_file, env={}).staff
    policy = RolePolicy.from_settings(hub_staff)
    kiosk_b = load_settings(second, env={}).staff
    assert kiosk_b.badge_key and kiosk_b.badge_key != load_settings(first, env={}).staff.badge_key
    directory = StaffDirectory(kiosk_b.members, kiosk_b.badge_key)
    for found in (directory.check_pin("ana", "482913"), directory.check_badge("CARD-42")):
        assert found is not None
        member, key = found
        req = m.StatusChangeRequest("k" * 16, "lobby-b", "chen", "on_time", member.id, "2026-11-30T07:43")
        assert policy.check_proof(member.id, req, sign(key, req)) == ""
        assert policy.check_proof(member.id, req, sign(key, dc_replace(req, state="out"))) != ""
    assert [m.id for m in parse_members(hub_staff.members)] == ["ana", "ben"]


def _plain(text: str, pin: str) -> bool:
    """``pin`` stands in ``text`` as a value of its own, not inside a hex digest."""
    return re.search(rf"(?<![0-9a-fA-F]){pin}(?![0-9a-fA-F])", text) is not None
