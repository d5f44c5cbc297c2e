"""``kiosk sim io-board`` and ``kiosk sim printer``: device simulators on a pty."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
from typing import Any

from hardware.ioboard_sim import BoardSimulator, SimFaults
from hardware.printer_sim import PrinterSimulator

_TMP = tempfile.gettempdir()


def _say(*lines: str) -> None:
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def add_commands(subparsers: Any) -> None:
    sim = subparsers.add_parser("sim", help="run a device simulator on a pseudo-terminal")
    sims = sim.add_subparsers(dest="sim", metavar="DEVICE")
    sim.set_defaults(handler=lambda _args: sim.print_help() or 2)

    board = sims.add_parser("io-board", help="the I/O board firmware: presence, button, badge, LED ring")
    board.add_argument("--link", default=f"{_TMP}/kiosk-io-board", help="symlink to the pty ('' for none)")
    board.add_argument("--noise", type=float, default=0.0, help="probability of noise before a frame")
    board.add_argument("--drop", type=float, default=0.0, help="probability of a dropped byte in a frame")
    board.add_argument("--seed", type=int, default=0, help="random seed for noise and drops")
    board.add_argument(
        "--script",
        action="store_true",
        help="walk a patient up every 10 s: presence, badge, call-staff button",
    )
    board.set_defaults(handler=_io_board)

    printer = sims.add_parser("printer", help="an ESC/POS printer that prints tickets as text")
    printer.add_argument("--link", default=f"{_TMP}/kiosk-printer", help="symlink to the pty ('' for none)")
    printer.add_argument("--paper-out", action="store_true", help="start with the paper out")
    printer.set_defaults(handler=_printer)


def _io_board(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    faults = SimFaults(noise=args.noise, drop=args.drop)
    sim = BoardSimulator(args.link or None, faults=faults, seed=args.seed)
    sim.start()
    _say(f"I/O board simulator on {sim.url} (set devices.io_board_url to it); Ctrl-C stops")
    stop = threading.Event()
    step = 0
    try:
        while not stop.wait(10.0 if args.script else 3600):
            step += 1
            sim.set_presence(step % 2 == 1)
            if step % 2 == 1:
                sim.swipe_badge(f"BADGE-{step:04d}")
            if step % 6 == 0:
                sim.press_button()
            _say(f"led={sim.led.name} link={sim.decoder.stats.as_dict()}")
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def _printer(args: argparse.Namespace) -> int:
    sim = PrinterSimulator(args.link or None)
    sim.paper_out = args.paper_out
    sim.start()
    _say(f"printer simulator on {sim.url} (set devices.printer_url to it); Ctrl-C stops")
    shown = 0
    stop = threading.Event()
    try:
        while not stop.wait(0.5):
            jobs = sim.jobs
            for job in jobs[shown:]:
                _say("-" * 42, job.text, *(f"[QR {code}]" for code in job.qr_codes), "-" * 42)
            shown = len(jobs)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0
