"""Settings, CLI registration, the public surface and the benchmark's shape."""

from __future__ import annotations

import math

import pytest

import hardware
from config.loader import settings_from_mapping
from core.errors import ConfigError
from devtools.bench_hardware import run_bench
from kiosk.cli import build_parser


def test_devices_settings_load_and_check() -> None:
    settings = settings_from_mapping({"devices": {"io_board_url": "sim://", "camera": "0"}})
    assert settings.devices.io_board_url == "sim://"
    assert settings.devices.printer_url == ""
    with pytest.raises(ConfigError, match="printer_width"):
        settings_from_mapping({"devices": {"printer_width": 3}})
    with pytest.raises(ConfigError, match=r"did you mean 'devices\.camera'"):
        settings_from_mapping({"devices": {"camerra": "0"}})


def test_sim_commands_are_registered() -> None:
    args = build_parser().parse_args(["sim", "io-board", "--noise", "0.1", "--link", ""])
    assert args.noise == 0.1
    assert callable(args.handler)
    assert callable(build_parser().parse_args(["sim", "printer"]).handler)


def test_public_surface() -> None:
    for name in hardware.__all__:
        assert hasattr(hardware, name), name


def test_quick_bench_has_the_named_keys() -> None:
    result = run_bench(quick=True)
    for key in ("camera_fps", "camera_worker_fps"):
        fps = result[key]
        assert isinstance(fps, float) and fps > 0, key
    rtt = result["io_board_rtt_ms"]
    assert isinstance(rtt, dict)
    assert not math.isnan(rtt["p50"])
    assert rtt["p99"] >= rtt["p50"]
