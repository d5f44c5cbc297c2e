"""A broker that hangs (SIGSTOP: its port accepts, nothing answers) is noticed by the
probe's MQTT round trips and restarted, the central broker and a site broker alike; the
probe's login and the restart rules, and its systemd unit's wiring."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from core.errors import ConfigError
from devtools.fleet_hung import hung_brokers
from hub.broker_probe import PROBE_TOPIC, PROBE_USER, ProbeLoop, ProbeSettings, load_probe

ROOT = Path(__file__).resolve().parents[2]


def test_a_frozen_broker_is_restarted_and_answers_again(tmp_path: Path) -> None:
    result = hung_brokers(tmp_path, interval_s=1.0, timeout_s=2.0, failures=2, grace_s=2.0)
    for name in ("central", "site-north"):
        assert result["brokers"][name]["restarts"] == 1, result
        assert result["brokers"][name]["recovery_s"] < 30, result


def test_a_restart_needs_failures_in_a_row() -> None:
    answers = iter([0.01, None, 0.01, None, None, 0.01])
    restarts: list[int] = []
    loop = ProbeLoop(
        ProbeSettings("localhost", 8883, "probe-secret-1", failures=2, interval_s=5, grace_s=15),
        probe=lambda _s: next(answers),
        restart=lambda: restarts.append(1),
    )
    waits = [loop.step() for _ in range(6)]
    assert restarts == [1] and loop.restarts == 1  # one failure alone restarts nothing
    assert waits == [5, 1, 5, 1, 15, 5]  # a failure is confirmed soon; a restart gets its grace


def test_the_probe_config_is_checked(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("probe-secret-1\n")
    good = tmp_path / "north.toml"
    good.write_text(
        f'port = 8883\npassword_file = "{tmp_path / "pw"}"\nunit = "mosquitto@north.service"\n'
        'restart = ["systemctl kill --signal=SIGKILL mosquitto@north.service", "systemctl start x"]\n'
    )
    settings = load_probe(good)
    assert settings.password == "probe-secret-1"
    assert settings.restart_commands()[0] == [
        "systemctl",
        "kill",
        "--signal=SIGKILL",
        "mosquitto@north.service",
    ]
    assert ProbeSettings("h", 1, "p").restart_commands()[1] == ["systemctl", "restart", "mosquitto.service"]
    bad = tmp_path / "bad.toml"
    bad.write_text(f'port = 0\npassword_file = "{tmp_path / "pw"}"\n')
    with pytest.raises(ConfigError, match="port 0"):
        load_probe(bad)
    bad.write_text("port = 8883\n")
    with pytest.raises(ConfigError, match="password_file is missing"):
        load_probe(bad)


def test_the_generated_brokers_have_the_probes_login_and_nothing_more(tmp_path: Path) -> None:
    from hub.fleet_config import load_plan, render_central_acl, write_fleet_config
    from tests.fleet.test_fleet_config import _plan

    plan_file = _plan(tmp_path)
    (tmp_path / "probe.pw").write_text("probe-secret-123\n")
    plan_file.write_text(
        plan_file.read_text().replace("[central]\n", '[central]\nprobe_password_file = "probe.pw"\n')
    )
    plan = load_plan(plan_file)
    write_fleet_config(plan, tmp_path / "out")
    for broker in ("central", "site-north", "site-south"):
        users = [
            line.split(":")[0] for line in (tmp_path / "out" / broker / "passwords").read_text().splitlines()
        ]
        assert PROBE_USER in users, broker
        acl = (tmp_path / "out" / broker / "acl").read_text()
        block = acl[acl.index(f"user {PROBE_USER}") :].split("\n\n")[0].splitlines()
        assert block == [f"user {PROBE_USER}", f"topic readwrite {PROBE_TOPIC}"], broker
    assert f"user {PROBE_USER}" in render_central_acl(plan)


def test_the_probe_unit_runs_under_a_watchdog_and_comes_back() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read(ROOT / "systemd" / "kiosk-broker-probe@.service")
    service = unit["Service"]
    assert service["Type"] == "notify" and int(service["WatchdogSec"]) > 0
    assert service["Restart"] == "always"
    assert "kiosk hub broker-probe --probe-config /etc/kiosk/broker-probe/%i.toml" in service["ExecStart"]
