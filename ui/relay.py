"""Hand a call from any thread to the Qt (GUI) thread: a queued signal, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from ui.qt_signals import emit


class Relay(QObject):
    """``relay.post(x)`` from any thread calls ``target(x)`` later on the thread that owns the relay."""

    _posted = Signal(object)

    def __init__(self, target: Callable[[Any], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._target = target
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def post(self, item: object) -> None:
        emit(self._posted, item)

    @Slot(object)
    def _deliver(self, item: object) -> None:
        self._target(item)
