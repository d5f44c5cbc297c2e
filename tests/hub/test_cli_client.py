"""`kiosk hub status` / `ack` as a real client: each says what happened to the command
(applied, refused with the reason, or not delivered) with its own exit code, over a real
broker, with the hub running, absent, and with no broker at all."""

from __future__ import annotations

import io
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from config import load_settings
from hub.command_client import EXIT_CODES
from hub.service import HubService
from hub.status_command import build_request, deliver_status_change
from kiosk.cli import main
from tests.support.broker import Broker, broker_toml
from tests.support.site import start_hub, wait_for


def _config(tmp_path: Path, broker: Broker, protocol: str = "5") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nid = "lobby-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path}"\n'
        + broker_toml(broker, protocol=protocol, reconnect_min_s=0.1)
        + f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
    )
    return path


def _cli(config: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--config", str(config), "hub", *args])
    return code, out.getvalue()


def _chen(hub: HubService) -> tuple[int, int]:
    status = hub.call(lambda s: s.status("chen"))
    return (0, 0) if status is None else (status.version, status.delay_min)


def test_exit_codes_are_distinct_and_none_is_a_usage_error() -> None:
    codes = list(EXIT_CODES.values())
    assert len(set(codes)) == len(codes)
    assert EXIT_CODES["applied"] == 0 and 1 not in codes and 2 not in codes  # 1: config, 2: usage


def test_a_running_hub_applies_refuses_and_answers_acks(broker: Broker, tmp_path: Path) -> None:
    config = _config(tmp_path, broker)
    hub = start_hub(broker.settings(), tmp_path)
    try:
        wait_for(lambda: hub.link.connected, what="hub connected")
        code, out = _cli(config, "status", "chen", "late", "20")
        assert code == 0, out
        assert out.startswith("Applied: chen: late 20 (status version 1)")
        assert _chen(hub) == (1, 20)

        unknown = build_request("nobody", "out", None, "sick", "practice")
        outcome, result = deliver_status_change(load_settings(config), unknown, 5)
        assert outcome.kind == "refused" and outcome.exit_code == 3
        assert outcome.detail == "unknown provider nobody" and result is not None and not result.accepted

        code, out = _cli(config, "ack", "nchen-1", "--by", "ana")
        assert code == 0, out
        assert out.strip() == "Applied: acknowledged nchen-1"
        wait_for(lambda: hub.call(lambda s: s.staff.notice("nchen-1")).acked_by == "ana", what="acked")
        code, out = _cli(config, "ack", "nchen-1", "--by", "ben")
        assert code == 3 and "acknowledged before, by ana" in out
    finally:
        hub.stop()


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_with_the_hub_absent_a_change_is_not_delivered_and_says_so(
    broker: Broker, tmp_path: Path, protocol: str
) -> None:
    config = _config(tmp_path, broker, protocol)
    hub = start_hub(broker.settings(), tmp_path)  # it registers its session, then goes away
    wait_for(lambda: hub.link.connected, what="hub connected")
    hub.stop()
    started = time.monotonic()
    code, out = _cli(config, "status", "chen", "late", "25", "--timeout", "2")
    assert time.monotonic() - started < 6
    assert code == 4, out
    assert out.startswith("Not delivered: the broker took it but the hub did not answer in 2 s")
    assert "queued" not in out
    if protocol == "5":
        assert "expired at the broker unapplied" in out
        time.sleep(1.5)  # past the expiry
        hub = start_hub(broker.settings(), tmp_path, sample=False)
        try:
            wait_for(lambda: hub.link.connected, what="hub back")
            time.sleep(1.0)
            assert _chen(hub) == (0, 0), "an expired change was applied later"
        finally:
            hub.stop()
    else:
        assert "MQTT 3.1.1 has no expiry" in out


def test_an_unknown_notice_without_a_hub_answer_is_not_delivered(broker: Broker, tmp_path: Path) -> None:
    config = _config(tmp_path, broker)
    hub = start_hub(broker.settings(), tmp_path)
    try:
        wait_for(lambda: hub.link.connected, what="hub connected")
        code, out = _cli(config, "ack", "n-none", "--by", "ana", "--timeout", "1.5")
        assert code == 4 and out.startswith("Not delivered: the broker took it but the hub did not answer")
    finally:
        hub.stop()


def test_with_no_broker_nothing_is_delivered(broker: Broker, tmp_path: Path) -> None:
    config = _config(tmp_path, broker)
    hub = start_hub(broker.settings(), tmp_path)  # the hub's database, for resolving "chen"
    wait_for(lambda: hub.link.connected, what="hub connected")
    hub.stop()
    broker.stop()
    started = time.monotonic()
    code, out = _cli(config, "status", "chen", "late", "25", "--timeout", "1.5")
    assert time.monotonic() - started < 5
    assert code == 5, out
    assert out.startswith("Not delivered (no broker): could not reach the broker at")
    code, out = _cli(config, "ack", "nchen-1", "--by", "ana", "--timeout", "1")
    assert code == 5 and "could not reach the broker" in out
