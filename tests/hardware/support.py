"""Shared helpers for the hardware tests: polling without tight timing, event collection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

E = TypeVar("E")


def wait_for(
    predicate: Callable[[], object], timeout: float = 60.0, interval: float = 0.01, what: str = ""
) -> None:
    """Poll until ``predicate()`` is truthy; generous timeouts keep 2-core CI green.

    Raises ``AssertionError`` naming ``what`` (or where the predicate was written) on time-out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    if predicate():
        return
    code = getattr(predicate, "__code__", None)
    where = f"{Path(code.co_filename).name}:{code.co_firstlineno}" if code else repr(predicate)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or where}")


class Events:
    """A thread-safe ``on_event`` callback that records what it gets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[object] = []

    def __call__(self, event: object) -> None:
        with self._lock:
            self.items.append(event)

    def of(self, kind: type[E]) -> list[E]:
        with self._lock:
            return [e for e in self.items if isinstance(e, kind)]
