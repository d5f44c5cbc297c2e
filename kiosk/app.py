"""Wiring of a running kiosk: settings → logging → cache and sync → (devices, flow, UI).

Start in that order, stop in reverse, in ``finally``. Until the UI is up, a headless
kiosk prints the provider board whenever it changes.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TextIO

from config import load_settings
from kiosk.board import render_board
from kiosk.logs import setup_logging
from sync.kiosk_sync import KioskSync, SyncChange


class HeadlessBoard:
    """Prints the board to stderr (stdout carries the JSON logs) when it changes."""

    def __init__(self, sync: KioskSync, stream: TextIO | None = None) -> None:
        self.sync = sync
        self.stream = stream or sys.stderr
        self.last = ""

    def __call__(self, change: SyncChange) -> None:
        if change.kind not in ("status", "schedule", "link", "hub"):
            return
        cache = self.sync.cache
        if cache is None:
            return
        text = render_board(cache.providers(), cache.statuses(), self.sync.cache_age_s())
        if text != self.last:
            self.last = text
            print(text, file=self.stream, flush=True)


def run_kiosk(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    setup_logging(settings.kiosk.log_level)
    sync = KioskSync(settings)
    sync.add_listener(HeadlessBoard(sync))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sync.start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sync.stop()
    return 0
