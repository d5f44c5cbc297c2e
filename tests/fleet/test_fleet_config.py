"""`kiosk hub fleet-config`: the files of a practice group from one plan - which way each
topic crosses a bridge, who may write what at the central broker, remapped prefixes, and
private modes for what holds a secret."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from paho.mqtt.client import topic_matches_sub

from core.errors import ConfigError
from devtools.local_broker import copy_certs
from hub.bridge_config import IN_PATTERNS, OUT_PATTERNS
from hub.fleet_config import load_plan, render_central_acl, write_fleet_config
from hub.pacing import Pacer
from kiosk.cli import main
from sync.topics import TopicTree

TREE = TopicTree("acme", "north")
# What kiosks and the practice's terminals write, and what the hub writes: every topic of docs/protocol.md.
KIOSK_WRITTEN = [
    *(
        TREE.kiosk("lobby-1", leaf)
        for leaf in ("availability", "checkin", "request", "display", "health", "event", "ack")
    ),
    TREE.hub_command(),
    TREE.hub_command_ack(),
    TREE.hub_query(),
]
HUB_WRITTEN = [
    TREE.schedule("chen"), TREE.appointment("chen"), TREE.status("chen"), TREE.hub_availability(),
    TREE.request_result("lobby-1"), TREE.hub_ack("lobby-1"), TREE.notice("n-1"),
    TREE.alert("display-chen-v2"), TREE.receipt("chen"), TREE.affected("chen"), TREE.revoked("lobby-1"),
    TREE.hub_answer("cli"),
]  # fmt: skip


def _crosses(topic: str, patterns: tuple[str, ...]) -> bool:
    return any(topic_matches_sub(f"{TREE.base}/{p}", topic) for p in patterns)


@pytest.mark.parametrize("topic", KIOSK_WRITTEN)
def test_what_the_site_writes_goes_up_the_bridge_only(topic: str) -> None:
    assert _crosses(topic, OUT_PATTERNS) and not _crosses(topic, IN_PATTERNS)


@pytest.mark.parametrize("topic", HUB_WRITTEN)
def test_what_the_hub_writes_comes_down_the_bridge_only(topic: str) -> None:
    assert _crosses(topic, IN_PATTERNS) and not _crosses(topic, OUT_PATTERNS)


def _plan(tmp_path: Path) -> Path:
    copy_certs(tmp_path / "pki")
    for name in ("hub", "bridge-north", "bridge-south", "lobby-1", "lobby-2", "intake-1", "desk"):
        (tmp_path / f"{name}.pw").write_text(f"{name}-secret-123\n")
    plan = tmp_path / "group.toml"
    plan.write_text(
        'practice = "acme"\n'
        '[central]\nhost = "mqtt.acme.example"\nca = "pki/ca.crt"\n'
        'cert = "pki/server.crt"\nkey = "pki/server.key"\n'
        'hub_password_file = "hub.pw"\nintake = { "intake-1" = "intake-1.pw" }\n'
        'practice_users = { "desk" = "desk.pw" }\npersistence_dir = "/var/lib/mosquitto/"\n'
        '[sites.north]\nkiosks = { "lobby-1" = "lobby-1.pw" }\nbridge_password_file = "bridge-north.pw"\n'
        '[sites.south]\nlocal_site = "main"\nkiosks = { "lobby-2" = "lobby-2.pw" }\n'
        'bridge_password_file = "bridge-south.pw"\n'
    )
    return plan


def test_a_plan_writes_a_central_broker_and_one_per_site(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    stdout = io.StringIO()
    with redirect_stdout(stdout):
        assert main(["hub", "fleet-config", "--plan", str(plan), "--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {"central", "site-north", "site-south"}
    south = (out / "site-south" / "mosquitto.conf").read_text()
    # south's kiosks call their site "main"; at the centre it is "south".
    assert "topic kiosk/# out 1 clinic/v1/acme/main/ clinic/v1/acme/south/" in south
    assert "topic status/# in 0 clinic/v1/acme/main/ clinic/v1/acme/south/" in south  # retained: newest wins
    assert "topic hub/ack/# in 1 clinic/v1/acme/main/ clinic/v1/acme/south/" in south  # events: queued
    assert "address mqtt.acme.example:8883" in south and "cleansession false" in south
    assert "bridge-south-secret-123" in south  # mosquitto needs it in clear: the file is private
    assert (out / "site-south" / "mosquitto.conf").stat().st_mode & 0o777 == 0o640
    for broker in ("central", "site-north", "site-south"):
        conf = (out / broker / "mosquitto.conf").read_text()
        assert "use_username_as_clientid true" in conf and "allow_anonymous false" in conf
        assert (out / broker / "passwords").stat().st_mode & 0o777 == 0o640
    users = [line.split(":")[0] for line in (out / "central" / "passwords").read_text().splitlines()]
    assert sorted(users) == ["bridge-north", "bridge-south", "desk", "hub-north", "hub-south", "intake-1"]
    site_users = [line.split(":")[0] for line in (out / "site-north" / "passwords").read_text().splitlines()]
    assert site_users == ["lobby-1"]  # the hub runs centrally: no hub login at the site


def test_each_bridge_may_write_only_its_own_sites_tree(tmp_path: Path) -> None:
    acl = render_central_acl(load_plan(_plan(tmp_path)))
    blocks = {b.splitlines()[0]: b.splitlines()[1:] for b in acl.split("\n\n") if b.startswith("user ")}
    north = blocks["user bridge-north"]
    assert "topic write clinic/v1/acme/north/kiosk/#" in north
    assert "topic read clinic/v1/acme/north/status/#" in north
    assert not [line for line in north if "/south/" in line]
    # Its own tree read-write; the group's trees and every bridge's state read only.
    assert blocks["user hub-south"] == [
        "topic readwrite clinic/v1/acme/south/#",
        "topic deny clinic/v1/acme/+/kiosk/+/caller",  # a caller's number stays at the site
        "topic deny clinic/v1/acme/+/hub/caller/+",
        "topic read clinic/v1/acme/#",
        "topic read $SYS/broker/connection/+/state",
    ]
    assert "topic deny clinic/v1/acme/+/kiosk/+/caller" in blocks["user desk"]
    assert "topic read clinic/v1/acme/north/kiosk/+/checkin" in blocks["user intake-1"]
    assert not [line for line in blocks["user intake-1"] if "status" in line]


def test_a_plan_that_reuses_a_login_is_refused(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    plan.write_text(plan.read_text().replace('"intake-1" = "intake-1.pw"', '"bridge-north" = "intake-1.pw"'))
    with pytest.raises(ConfigError, match="twice"):
        write_fleet_config(load_plan(plan), tmp_path / "out")


def test_a_burst_of_check_ins_republishes_a_schedule_once_a_second() -> None:
    pacer = Pacer(1.0)
    assert pacer.now_or_later(["chen"], 0.0) == ["chen"]  # the first goes at once
    assert pacer.now_or_later(["chen", "patel"], 0.2) == ["patel"]  # chen waits for its second
    assert pacer.due(0.5) == []
    assert pacer.now_or_later(["chen"], 0.7) == []
    assert pacer.due(1.0) == ["chen"]  # once, however many batches touched it
    assert pacer.due(5.0) == []
