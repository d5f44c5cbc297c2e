"""Wiring of a running kiosk: settings → logging → cache and sync → devices → flow → UI.

Start in that order, stop in reverse, in ``finally``. Where there is a display the touch
UI opens (``ui.run``, imported only then: a headless kiosk never loads Qt); otherwise a
headless kiosk prints the provider board whenever it changes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from config import load_settings
from core.logs import setup_logging
from core.systemd import serve_until_stopped
from domain.board import render_board
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


def has_display(env: Mapping[str, str] | None = None) -> bool:
    """X11, Wayland, or a Qt platform chosen explicitly (e.g. ``offscreen``, ``eglfs``)."""
    env = os.environ if env is None else env
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run_kiosk(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    setup_logging(settings.kiosk.log_level)
    if not getattr(args, "headless", False) and has_display():
        from ui.run import run_touch_kiosk

        return run_touch_kiosk(settings)
    sync = KioskSync(settings)
    sync.add_listener(HeadlessBoard(sync))
    sync.start()
    try:
        # Headless, the main loop is a wait: the watchdog follows the sync loop alone.
        serve_until_stopped({"sync": sync.alive})
    finally:
        sync.stop()
    return 0
