"""Emitting signals from Python never wears ``True`` down (PySide6 6.12.0 drops a reference
to it on every ``SignalInstance.emit``; CPython aborts once it reaches zero)."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from ui.qt_signals import emit
from ui.relay import Relay


class _Source(QObject):
    changed = Signal()
    carried = Signal(str)


def test_many_more_emits_than_true_has_references_leave_it_as_it_was(qapp: QGuiApplication) -> None:
    source = _Source()
    heard: list[str] = []
    source.carried.connect(heard.append)
    before = sys.getrefcount(True)
    count = before + 1_000  # unfixed, this many emits would take True's last reference
    for _ in range(count):
        emit(source.changed)
        emit(source.carried, "x")
    assert abs(sys.getrefcount(True) - before) < 50 and len(heard) == count


def test_a_relay_posting_from_another_thread_leaves_true_as_it_was(qapp: QGuiApplication) -> None:
    got: list[object] = []
    relay = Relay(got.append)
    before = sys.getrefcount(True)

    def post_many() -> None:
        for i in range(10_000):
            relay.post(i)

    worker = threading.Thread(target=post_many)
    worker.start()
    worker.join()
    qapp.processEvents()
    assert len(got) == 10_000 and abs(sys.getrefcount(True) - before) < 50
