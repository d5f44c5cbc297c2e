"""The check-in ticket and the ESC/POS bytes for it, as pure functions (no port here).

Rendering uses python-escpos' ``Dummy`` printer, which only builds bytes; the status
codec covers ESC/POS real-time status (``DLE EOT n``) as Epson documents it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from escpos.printer import Dummy

STALE_TEXT = "Please see the front desk"


@dataclass(frozen=True)
class Ticket:
    """What a check-in ticket says. ``stale`` (or no estimate) prints "see the front desk"."""

    practice_name: str
    first_name: str
    last_initial: str
    provider_name: str
    estimated_time: str | None
    stale: bool
    queue_number: int
    reference: str
    printed_at: datetime


@dataclass(frozen=True)
class PrintResult:
    """The outcome of ``print_ticket``: never an exception, ``ok`` or a ``reason`` for the screen/log."""

    ok: bool
    reason: str = ""

    @classmethod
    def failed(cls, reason: str) -> PrintResult:
        return cls(False, reason)


def patient_label(ticket: Ticket) -> str:
    initial = ticket.last_initial.strip()[:1].upper()
    return f"{ticket.first_name.strip()} {initial}." if initial else ticket.first_name.strip()


def wait_line(ticket: Ticket) -> str:
    if ticket.stale or not ticket.estimated_time:
        return STALE_TEXT
    return f"Estimated time: {ticket.estimated_time}"


def capabilities_cache_dir() -> Path:
    """Where python-escpos keeps its parsed printer-capabilities database between runs.

    Its import parses a large YAML file (over a second on a Pi-class CPU) and caches the
    result in a fresh temporary directory each time unless told where: systemd's
    CacheDirectory= (``$CACHE_DIRECTORY``), else the user's cache, else the temp directory."""
    base = os.environ.get("CACHE_DIRECTORY") or os.environ.get("XDG_CACHE_HOME")
    candidate = (Path(base.split(":")[0]) if base else Path.home() / ".cache") / "kiosk-escpos"
    try:
        candidate.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home (ProtectHome=) or no home at all
        candidate = Path(tempfile.gettempdir()) / f"kiosk-escpos-{os.getuid()}"
        candidate.mkdir(parents=True, exist_ok=True)
    return candidate


@cache
def _escpos_dummy() -> type[Dummy]:
    """python-escpos, imported on first use (off the start-up path: the tickets worker warms it)."""
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(capabilities_cache_dir()))
    from escpos.printer import Dummy

    return cast("type[Dummy]", Dummy)


def preload() -> None:
    """Import the renderer now (the tickets worker calls this at start) so the first
    patient's ticket does not wait for it."""
    _escpos_dummy()


def render_ticket(ticket: Ticket, width: int = 42) -> bytes:
    """The whole ticket as ESC/POS bytes: init, text, native QR of the reference, feed and cut."""
    p = _escpos_dummy()()
    p.hw("INIT")
    p.set(align="center", bold=True, double_height=True)
    p.text(_fit(ticket.practice_name, width) + "\n")
    p.set(align="center", normal_textsize=True)
    p.text(ticket.printed_at.strftime("%a %d %b %Y  %H:%M") + "\n")
    p.text("-" * width + "\n")
    p.set(align="center", bold=True, double_height=True, double_width=True)
    p.text(f"No. {ticket.queue_number}\n")
    p.set(align="center", normal_textsize=True)
    p.text(_fit(patient_label(ticket), width) + "\n")
    p.text(_fit(f"Provider: {ticket.provider_name}", width) + "\n")
    p.set(align="center", bold=True, normal_textsize=True)
    p.text(wait_line(ticket) + "\n")
    p.set(align="center", normal_textsize=True)
    p.qr(ticket.reference, native=True, size=6)
    p.text(_fit(ticket.reference, width) + "\n")
    p.cut()
    return bytes(p.output)


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "~"


# --- real-time status: DLE EOT n ------------------------------------------------------------------

DLE_EOT = b"\x10\x04"
STATUS_PRINTER, STATUS_OFFLINE, STATUS_ERROR, STATUS_PAPER = 1, 2, 3, 4


def status_query(n: int) -> bytes:
    return DLE_EOT + bytes((n,))


def valid_status(byte: int) -> bool:
    """Status bytes have bit 1 and bit 4 set, bits 0 and 7 clear."""
    return byte & 0x93 == 0x12


def status_faults(n: int, byte: int) -> list[str]:
    """Faults one status byte reports, in words (empty: none)."""
    checks: dict[int, list[tuple[int, str]]] = {
        STATUS_PRINTER: [(0x08, "offline")],
        STATUS_OFFLINE: [(0x04, "cover open"), (0x20, "paper out"), (0x40, "printer error")],
        STATUS_ERROR: [(0x08, "cutter error"), (0x20, "unrecoverable error"), (0x40, "printer error")],
        STATUS_PAPER: [(0x60, "paper out")],
    }
    return [text for mask, text in checks.get(n, []) if byte & mask == mask]


def paper_low(byte: int) -> bool:
    """The roll-paper status (n=4) says the paper is near its end."""
    return byte & 0x0C == 0x0C


def status_byte(
    n: int,
    *,
    offline: bool = False,
    cover_open: bool = False,
    paper_out: bool = False,
    paper_low: bool = False,
    error: bool = False,
) -> int:
    """What a printer in this state answers to ``DLE EOT n`` (the simulator and tests use it)."""
    value = 0x12
    if n == STATUS_PRINTER and (offline or cover_open or paper_out or error):
        value |= 0x08
    elif n == STATUS_OFFLINE:
        value |= (0x04 if cover_open else 0) | (0x20 if paper_out else 0) | (0x40 if error else 0)
    elif n == STATUS_ERROR and error:
        value |= 0x40
    elif n == STATUS_PAPER:
        value |= (0x60 if paper_out else 0) | (0x0C if paper_low or paper_out else 0)
    return value
