"""What ``KioskSync`` tells its listeners, and how: on the sync worker, right after the
change was committed to the cache; a listener that raises is counted, never allowed to stop
sync or the listeners after it."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sync import messages as m
from sync.wire import Message

log = logging.getLogger(__name__)

ChangeKind = Literal[
    "schedule", "appointment", "status", "link", "hub", "result", "staff", "outbox", "enrollment", "caller"
]


@dataclass(frozen=True)
class SyncChange:
    """What a listener is told: something of ``kind`` changed (details are in the cache)."""

    kind: ChangeKind
    provider_id: str = ""
    version: int = 0
    result: m.RequestResult | None = None
    message: Message | None = None  # a staff notice or display receipt; "caller": the CallerMatch
    keys: tuple[str, ...] = ()  # "outbox": the keys the hub acknowledged just now
    reason: str = ""  # "enrollment": why the broker refused us ("" with a revocation message)


Listener = Callable[[SyncChange], None]


def notify(listeners: Sequence[Listener], change: SyncChange, stats: Counter[str]) -> None:
    for listener in list(listeners):
        try:
            listener(change)
        except Exception as exc:  # noqa: BLE001 - a broken listener must not stop sync, nor the others
            stats["listener_errors"] += 1
            log.error("sync listener failed: %s", type(exc).__name__)


__all__ = ["ChangeKind", "Listener", "SyncChange", "notify"]
