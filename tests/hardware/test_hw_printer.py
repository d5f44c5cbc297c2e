"""The ticket: ESC/POS bytes decoded back, status codec, and the printer over a real pty."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TypedDict

import pytest

from config.settings import DeviceSettings
from hardware import ticket as t
from hardware.devices import Devices
from hardware.escpos_decode import EscPosDecoder
from hardware.printer import TicketPrinter
from hardware.printer_sim import PrinterSimulator
from hardware.ticket import Ticket
from tests.hardware.support import wait_for

TICKET = Ticket(
    practice_name="Riverside Family Practice",
    first_name="Zoë",
    last_initial="dubois",
    provider_name="Dr Amelia Okafor",
    estimated_time="10:40",
    stale=False,
    queue_number=17,
    reference="CHK-2025-000417",
    printed_at=datetime(2025, 11, 29, 10, 5),
)


def decode(data: bytes) -> EscPosDecoder:
    decoder = EscPosDecoder()
    decoder.feed(data)
    return decoder


def test_ticket_bytes_decode_to_the_ticket() -> None:
    decoder = decode(t.render_ticket(TICKET))
    assert decoder.errors == []
    [job] = decoder.jobs
    assert job.cut
    assert job.qr_codes == ["CHK-2025-000417"]
    lines = [line.text for line in job.lines]
    assert lines[0] == "Riverside Family Practice"
    assert "Sat 29 Nov 2025  10:05" in lines
    assert "No. 17" in lines
    assert "Zoë D." in lines  # first name and last initial only
    assert "Provider: Dr Amelia Okafor" in lines
    assert "Estimated time: 10:40" in lines
    assert not any("dubois" in line.lower() for line in lines)
    assert job.lines[0].bold
    assert job.lines[0].align == 1


class _WaitChange(TypedDict, total=False):
    stale: bool
    estimated_time: str | None


@pytest.mark.parametrize("change", [{"stale": True}, {"estimated_time": None}])
def test_stale_or_unknown_wait_says_see_the_front_desk(change: _WaitChange) -> None:
    [job] = decode(t.render_ticket(replace(TICKET, **change))).jobs
    assert t.STALE_TEXT in job.text
    assert "Estimated time" not in job.text


def test_long_names_are_cut_to_the_paper_width() -> None:
    [job] = decode(t.render_ticket(replace(TICKET, provider_name="Dr " + "Very" * 30), width=32)).jobs
    assert all(len(line.text) <= 32 for line in job.lines)


@pytest.mark.parametrize(
    ("state", "faults"),
    [
        ({}, set()),
        ({"paper_out": True}, {"offline", "paper out"}),
        ({"cover_open": True}, {"offline", "cover open"}),
        ({"offline": True}, {"offline"}),
    ],
)
def test_status_codec(state: dict[str, bool], faults: set[str]) -> None:
    found = []
    for n in (t.STATUS_PRINTER, t.STATUS_OFFLINE, t.STATUS_PAPER):
        byte = t.status_byte(n, **state)
        assert t.valid_status(byte)
        found += t.status_faults(n, byte)
    assert set(found) == faults


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[PrinterSimulator]:
    printer = PrinterSimulator(str(tmp_path / "ttyPRN")).start()
    yield printer
    printer.stop()


@pytest.fixture
def printer(sim: PrinterSimulator) -> Iterator[TicketPrinter]:
    device = TicketPrinter(sim.url, status_timeout=0.3)
    device.open()
    yield device
    device.close()


def test_prints_over_a_pty_and_the_simulator_checks_the_bytes(
    sim: PrinterSimulator, printer: TicketPrinter
) -> None:
    assert printer.check().state == "ok"
    assert printer.print_ticket(TICKET).ok
    wait_for(lambda: sim.jobs)
    [job] = sim.jobs
    assert job.qr_codes == ["CHK-2025-000417"]
    assert "Zoë D." in job.text
    assert sim.decoder.errors == []


@pytest.mark.parametrize(
    ("fault", "reason"), [("paper_out", "paper out"), ("cover_open", "cover open"), ("offline", "offline")]
)
def test_a_faulted_printer_fails_the_print_and_prints_nothing(
    sim: PrinterSimulator, printer: TicketPrinter, fault: str, reason: str
) -> None:
    setattr(sim, fault, True)
    result = printer.print_ticket(TICKET)
    assert not result.ok
    assert reason in result.reason
    assert printer.check() == printer.check().__class__("error", reason)
    assert sim.jobs == []


def test_paper_low_is_ok_with_a_reason(sim: PrinterSimulator, printer: TicketPrinter) -> None:
    sim.paper_low = True
    assert printer.check().state == "ok"
    assert printer.check().reason == "paper low"


def test_a_mute_printer_fails_without_blocking(sim: PrinterSimulator, printer: TicketPrinter) -> None:
    sim.mute = True
    result = printer.print_ticket(TICKET)
    assert not result.ok
    assert "not answering" in result.reason


def test_an_unplugged_printer_never_raises(sim: PrinterSimulator, printer: TicketPrinter) -> None:
    sim.vanish()
    result = printer.print_ticket(TICKET)
    assert not result.ok
    assert printer.check().reopen


def test_devices_print_ticket_through_unplug_and_replug(sim: PrinterSimulator) -> None:
    devices = Devices(DeviceSettings(printer_url=sim.url, reconnect_min_s=0.05, reconnect_max_s=0.2))
    devices.supervisor._check_interval = 0.05
    devices.supervisor.start(tick_s=0.02)
    try:
        wait_for(lambda: devices.health_snapshot()["printer"]["state"] == "ok")
        assert devices.print_ticket(TICKET).ok
        sim.vanish()
        wait_for(lambda: devices.health_snapshot()["printer"]["state"] == "missing")
        result = devices.print_ticket(TICKET)
        assert not result.ok
        assert "missing" in result.reason
        sim.reappear()
        wait_for(lambda: devices.health_snapshot()["printer"]["state"] == "ok")
        assert devices.print_ticket(TICKET).ok
        wait_for(lambda: len(sim.jobs) == 2)
    finally:
        devices.stop()


def test_no_printer_configured() -> None:
    devices = Devices(DeviceSettings())
    assert devices.print_ticket(TICKET) == t.PrintResult(False, "no printer configured")
    assert devices.health_snapshot() == {}


def test_the_ticket_renderer_is_not_imported_at_start_up_and_caches_its_capabilities(tmp_path: Path) -> None:
    """python-escpos parses its capabilities YAML on import (over a second on a Pi): importing
    the kiosk must not pay it, and the parsed database is kept in the cache directory."""
    code = (
        "import sys, kiosk.assembly, hardware.ticket as t; "
        "assert 'escpos' not in sys.modules, 'escpos imported at start-up'; "
        "t.preload(); print(t.capabilities_cache_dir())"
    )
    env = {**os.environ, "CACHE_DIRECTORY": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    cache_dir = Path(out.stdout.strip())
    assert cache_dir == tmp_path / "kiosk-escpos"
    assert list(cache_dir.glob("*.capabilities.pickle")), "the parsed capabilities were not cached"
