"""Emit a Qt signal from Python without losing a reference to ``True``.

PySide6 6.12.0 (the version this project installs) returns ``True`` from
``SignalInstance.emit()`` without owning a reference to it: each emit from Python takes
one reference from ``True``. CPython 3.11 ``True`` starts with a few thousand, so after a
few thousand emits (a busy morning of touches, board updates and sync relays) the
interpreter aborts with "bool_dealloc: deallocating True or False". ``emit`` gives the
reference back, and only where this PySide has the fault (probed once, at import).
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_PROBES = 16
_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_drops_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    faulty = lost >= _PROBES // 2
    if faulty:
        for _ in range(lost):
            _incref(True)
    return faulty


EMIT_DROPS_TRUE = _emit_drops_true()


def emit(signal: Any, *args: object) -> None:
    """``signal.emit(*args)``, with the reference PySide drops put back."""
    signal.emit(*args)
    if EMIT_DROPS_TRUE:
        _incref(True)


__all__ = ["EMIT_DROPS_TRUE", "emit"]
