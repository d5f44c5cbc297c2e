"""The board a call's prompts are worded from (providers and statuses), kept on the line's
event loop as the sync worker last committed it.

Asking the sync worker for it at each call costs a thread round trip at the answer, and
that worker runs at the ordinary priority: at load 11 on two cores the round trip took up
to 103 ms and the first prompt waited for it (``phone_answer_ms``). Instead the worker,
right after it commits a change (a ``KioskSync`` listener, on the worker's own thread,
which owns the cache), reads the board and hands it to the loop; a call then reads it at
once. The next call therefore says what the cache held when the change was committed plus
one hop to the loop, as before; until the first snapshot arrives, ``board`` is None and the
caller asks the worker as it used to."""

from __future__ import annotations

import asyncio
import logging

from sync.cache import KioskCache, Provider
from sync.kiosk_sync import KioskSync
from sync.messages import ProviderStatus
from sync.sync_change import SyncChange

log = logging.getLogger(__name__)

Board = tuple[list[Provider], dict[str, ProviderStatus]]
_NOT_THE_BOARD = frozenset({"outbox", "result", "link"})  # the board is unchanged by these


def read_board(cache: KioskCache) -> Board:
    return cache.providers(), cache.statuses()


class DaySnapshot:
    def __init__(self, sync: KioskSync) -> None:
        self.sync = sync
        self.board: Board | None = None
        self.updates = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """On the loop, after the sync worker started: listen, and take a first snapshot
        (the cache may hold the day from before a restart, with no change to come)."""
        self._loop = asyncio.get_running_loop()
        self.sync.add_listener(self._on_change)
        self.sync.worker.post(self._refresh)

    def stop(self) -> None:
        self._loop = None

    def _on_change(self, change: SyncChange) -> None:  # the sync worker's thread
        if change.kind not in _NOT_THE_BOARD:
            self._refresh()

    def _refresh(self) -> None:  # the sync worker's thread
        cache, loop = self.sync.cache, self._loop
        if cache is None or loop is None:
            return
        board = read_board(cache)
        try:
            loop.call_soon_threadsafe(self._set, board)
        except RuntimeError:  # the loop closed while the line stopped
            return

    def _set(self, board: Board) -> None:
        self.board = board
        self.updates += 1


__all__ = ["Board", "DaySnapshot", "read_board"]
