"""``kiosk sim io-board`` and ``kiosk sim printer``: device simulators on a pty."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
from typing import Any

from hardware.ioboard_sim import BoardSimulator, SimFaults
from hardware.ioproto import KeyCode
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
    board.add_argument(
        "--keys",
        action="store_true",
        help="press keypad keys named on stdin, one a line (up down select back help repeat vol_up vol_down)",
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
    if args.keys:
        return _press_keys_from_stdin(sim)
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


def _press_keys_from_stdin(sim: BoardSimulator) -> int:
    names = [k.name.lower() for k in KeyCode]
    _say(f"keys: {' '.join(names)}; end of input stops")
    try:
        for line in sys.stdin:
            name = line.strip().lower()
            if name in names:
                sim.press_key(name)
            elif name:
                _say(f"unknown key {name!r}: one of {' '.join(names)}")
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
