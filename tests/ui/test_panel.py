"""The panel's physical size: from the config, the EDID of a connected output, the display
server, or the named reference panel, in that order; never from the resolution alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.panel import REFERENCE, edid_size_mm, resolve_panel

HEADER = bytes((0, 255, 255, 255, 255, 255, 255, 0))


def _edid(width_mm: int, height_mm: int, basic_cm: tuple[int, int] = (0, 0), clock: bool = True) -> bytes:
    block = bytearray(128)
    block[:8] = HEADER
    block[21], block[22] = basic_cm
    if clock:
        block[54:56] = (0x64, 0x19)  # 65 MHz
    block[66] = width_mm & 0xFF
    block[67] = height_mm & 0xFF
    block[68] = ((width_mm >> 8) << 4) | (height_mm >> 8)
    return bytes(block)


def test_the_detailed_timing_size_is_read_first() -> None:
    assert edid_size_mm(_edid(154, 86, basic_cm=(15, 9))) == (154, 86)
    assert edid_size_mm(_edid(1210, 680)) == (1210, 680)  # the high nibbles


def test_the_basic_size_in_cm_when_the_timing_says_nothing() -> None:
    assert edid_size_mm(_edid(0, 0, basic_cm=(22, 14))) == (220, 140)
    assert edid_size_mm(_edid(0, 0, basic_cm=(22, 14), clock=False)) == (220, 140)


@pytest.mark.parametrize("blob", [b"", b"\0" * 128, _edid(0, 0)[:100], bytes(8) + _edid(154, 86)[8:]])
def test_not_an_edid_or_no_size_is_none(blob: bytes) -> None:
    assert edid_size_mm(blob) is None


def _drm(root: Path, name: str, status: str, edid: bytes) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "status").write_text(status + "\n")
    (root / name / "edid").write_bytes(edid)


def test_a_connected_outputs_edid_sizes_the_panel(tmp_path: Path) -> None:
    _drm(tmp_path, "card0-HDMI-A-1", "disconnected", _edid(500, 300))
    _drm(tmp_path, "card0-DSI-1", "connected", _edid(154, 86))
    panel = resolve_panel(800, 480, drm_root=tmp_path, server_mm=(300, 200))
    assert (panel.width_mm, panel.height_mm) == (154, 86)
    assert panel.px_per_mm == pytest.approx(480 / 86)  # the denser axis: mm are mm both ways
    assert "card0-DSI-1" in panel.source


def test_the_config_wins_over_the_edid(tmp_path: Path) -> None:
    _drm(tmp_path, "card0-DSI-1", "connected", _edid(154, 86))
    assert resolve_panel(800, 480, config_px_per_mm=5.0, drm_root=tmp_path).px_per_mm == pytest.approx(5.0)


def test_the_display_servers_size_when_there_is_no_edid(tmp_path: Path) -> None:
    _drm(tmp_path, "card0-DSI-1", "connected", b"")
    panel = resolve_panel(1280, 800, drm_root=tmp_path, server_mm=(217.0, 136.0))
    assert panel.source == "display server"
    assert panel.px_per_mm == pytest.approx(1280 / 217)


def test_nothing_known_names_the_reference_panel_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    panel = resolve_panel(800, 480, drm_root=tmp_path, server_mm=(0.0, 0.0))
    assert panel.px_per_mm == pytest.approx(REFERENCE[(800, 480)].px_per_mm)
    assert panel.ppi == pytest.approx(133.0)
    assert "px_per_mm" in caplog.text
