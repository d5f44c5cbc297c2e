"""The I/O board link against the firmware simulator over a real pty (and pyserial's loop://)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.backoff import Backoff
from hardware import ioproto as p
from hardware.errors import DeviceError, DeviceMissing
from hardware.events import BadgeRead, KeyPressed, PresenceChanged, StaffCallPressed
from hardware.ioboard import IoBoard, LinkTiming
from hardware.ioboard_sim import BoardSimulator
from hardware.serialport import open_port
from hardware.supervisor import DeviceSupervisor
from tests.hardware.support import Events, wait_for


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[BoardSimulator]:
    board = BoardSimulator(str(tmp_path / "ttyIO"), retries=6).start()
    yield board
    board.stop()


@pytest.fixture
def board(sim: BoardSimulator, events: Events) -> Iterator[IoBoard]:
    link = IoBoard(sim.url, events)
    link.open()
    yield link
    link.close()


def test_loop_url_carries_frames() -> None:
    port = open_port("loop://", timeout=0.2)
    try:
        port.write(p.encode_message(p.SetLed(p.LedMode.SUCCESS), 9))
        [frame] = p.FrameDecoder().feed(port.read(64))
    finally:
        port.close()
    assert p.decode_message(frame) == p.SetLed(p.LedMode.SUCCESS)


def test_missing_port_is_missing(tmp_path: Path) -> None:
    with pytest.raises(DeviceMissing):
        IoBoard(str(tmp_path / "nothing-here")).open()


def test_handshake_then_events_in_order(sim: BoardSimulator, board: IoBoard, events: Events) -> None:
    assert board.board == p.HelloReply(p.PROTOCOL_VERSION, "1.0", "SIM-0001")
    sim.set_presence(True, 80)
    sim.press_button()
    sim.swipe_badge("04A2B9C1")
    wait_for(lambda: events.of(BadgeRead))
    assert events.of(PresenceChanged)[-1] == PresenceChanged(True, "io_board")
    assert events.of(StaffCallPressed) == [StaffCallPressed()]
    assert events.of(BadgeRead) == [BadgeRead("04A2B9C1")]


def test_led_commands_are_acknowledged(sim: BoardSimulator, board: IoBoard) -> None:
    for mode in (p.LedMode.LISTENING, p.LedMode.SPEAKING, p.LedMode.SUCCESS):
        board.set_led(mode)
    wait_for(lambda: sim.led == p.LedMode.SUCCESS)
    wait_for(lambda: not board._outstanding)
    assert board.ping()


def test_unknown_types_and_bad_payloads_are_counted_not_fatal(sim: BoardSimulator, board: IoBoard) -> None:
    sim.send_raw(p.encode_frame(p.Frame(200, 0x55, b"future")))
    sim.send_raw(p.encode_frame(p.Frame(201, p.Badge.TYPE, b"\x00bad")))
    sim.send_raw(b"\xa5\x5a\x03garbage" + p.SYNC)
    wait_for(lambda: board.stats.unknown_types == 1 and board.stats.bad_payloads == 1)
    assert board.check().state == "ok"
    assert board.ping()


def test_noise_and_dropped_bytes_still_deliver_each_badge_once(
    sim: BoardSimulator, board: IoBoard, events: Events
) -> None:
    sim.faults.noise, sim.faults.drop = 0.3, 0.1
    badges = [f"B{i:03d}" for i in range(15)]
    for badge in badges:
        sim.swipe_badge(badge)
    wait_for(lambda: len(events.of(BadgeRead)) == len(badges), timeout=60)
    assert sorted(e.badge_id for e in events.of(BadgeRead)) == badges
    stats = board.link_stats()
    assert stats["rx_noise_bytes"] > 0
    assert board.check().state == "ok"


def test_protocol_version_mismatch_is_an_error(tmp_path: Path) -> None:
    sim = BoardSimulator(version=9).start()
    try:
        with pytest.raises(DeviceError, match="protocol v9"):
            IoBoard(sim.url).open()
    finally:
        sim.stop()


def test_silent_board_is_detected(sim: BoardSimulator, events: Events) -> None:
    link = IoBoard(sim.url, events, timing=LinkTiming(heartbeat=0.1, silence_limit=0.5))
    link.open()
    try:
        sim.faults.silent = True
        wait_for(lambda: link.check().reopen)
        assert "silent" in link.check().reason
    finally:
        link.close()


def test_unplug_and_replug_recover_without_restart(sim: BoardSimulator, events: Events) -> None:
    link = IoBoard(sim.url, events)
    supervisor = DeviceSupervisor([link], events, backoff=Backoff(0.05, 0.2), check_interval_s=0.05)
    supervisor.start(tick_s=0.02)
    try:
        wait_for(lambda: supervisor.health_snapshot()["io_board"]["state"] == "ok")
        link.set_led(p.LedMode.ATTENTION)
        sim.vanish()
        wait_for(lambda: supervisor.health_snapshot()["io_board"]["state"] == "missing")
        sim.reappear()
        wait_for(lambda: supervisor.health_snapshot()["io_board"]["state"] == "ok")
        wait_for(lambda: sim.led == p.LedMode.ATTENTION)  # re-applied after the replug
        sim.swipe_badge("AFTER-REPLUG")
        wait_for(lambda: BadgeRead("AFTER-REPLUG") in events.of(BadgeRead))
    finally:
        supervisor.stop()


def test_keypad_keys_arrive_in_order_over_the_pty(
    sim: BoardSimulator, board: IoBoard, events: Events
) -> None:
    for key in p.KeyCode:
        sim.press_key(key)
    sim.press_key("select")
    wait_for(lambda: len(events.of(KeyPressed)) == len(p.KeyCode) + 1)
    names = [e.key for e in events.of(KeyPressed)]
    assert names == ["up", "down", "select", "back", "help", "repeat", "vol_up", "vol_down", "select"]


def test_unknown_key_codes_are_counted_acked_and_not_fatal(
    sim: BoardSimulator, board: IoBoard, events: Events
) -> None:
    sim.send_raw(p.encode_frame(p.Frame(210, p.Key.TYPE, bytes((p.KEYPAD_VERSION, 0xEE)))))
    sim.send_raw(p.encode_frame(p.Frame(211, p.Key.TYPE, bytes((99, int(p.KeyCode.UP))))))
    wait_for(lambda: board.stats.unknown_keys == 2)
    sim.press_key("help")
    wait_for(lambda: events.of(KeyPressed))
    assert events.of(KeyPressed) == [KeyPressed("help")]
    assert board.stats.bad_payloads == 0 and board.link_stats()["unknown_keys"] == 2
    assert board.check().state == "ok"
