"""The kiosks' schedules after SIU traffic: published when the traffic pauses, or at least
every ``max_delay_s`` during a burst, instead of after every commit.

A provider's schedule is the whole day (a few hundred appointments, encoded each time),
and a practice system's burst - an interface engine catching up, a day re-sent - touches
the same few schedules in commit after commit: each commit's publish would be replaced by
the next one a few milliseconds later. So a commit only marks the providers it changed;
their schedules go out once no frame has waited or been stored for ``quiet_s`` (a lone
change: a few milliseconds after its commit), and at the latest ``max_delay_s`` after the
first change marked, however long the burst goes on. Publishing is no part of "durable before
ACK": the ACK follows the commit, and a schedule not yet published when the hub dies is
published from the store when it starts again (every connect republishes the retained
state).

Runs on the EHR loop; the schedules are read and published on the hub thread
(``HubService.submit``: the providers a job returns are published after it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from hub.ehr.bridge import Bridge
from hub.store import HubStore

log = logging.getLogger(__name__)

QUIET_S = 0.01
MAX_DELAY_S = 0.5


class SchedulePublisher:
    def __init__(
        self,
        bridge: Bridge,
        busy: Callable[[], bool],
        quiet_s: float = QUIET_S,
        max_delay_s: float = MAX_DELAY_S,
    ) -> None:
        self.bridge = bridge
        self.busy = busy  # frames are being stored or wait to be
        self.quiet_s = quiet_s
        self.max_delay_s = max_delay_s
        self.published = 0  # publish rounds (each one or more schedules)
        self._marked: set[str] = set()
        self._first_marked = 0.0  # loop time of the oldest change not published
        self._last_commit = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> bool:
        """Changed schedules not published yet (marked, or on their way)."""
        return bool(self._marked or self._tasks)

    def committed(self, providers: Iterable[str]) -> None:
        """A commit happened (on the EHR loop), changing these providers' schedules."""
        loop = asyncio.get_running_loop()
        self._last_commit = loop.time()
        new = set(providers) - self._marked
        if new and not self._marked:
            self._first_marked = self._last_commit
        self._marked |= new
        if self._marked and self._timer is None:
            self._timer = loop.call_later(self.quiet_s, self._check)

    def _check(self) -> None:
        self._timer = None
        if not self._marked:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        burst = self.busy() or now - self._last_commit < self.quiet_s
        if burst and now - self._first_marked < self.max_delay_s:
            wait = min(self.quiet_s, self._first_marked + self.max_delay_s - now)
            self._timer = loop.call_later(max(wait, 0.0005), self._check)
            return
        providers, self._marked = self._marked, set()
        task = loop.create_task(self._publish(providers))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(self, providers: set[str]) -> None:
        def run(_store: HubStore) -> tuple[None, set[str]]:
            return None, providers  # the hub publishes these providers' schedules after the job

        try:
            await self.bridge.on_hub(run)
            self.published += 1
        except Exception as exc:  # noqa: BLE001 - the next connect republishes every schedule
            log.info("ehr schedules not published: %s", type(exc).__name__)

    async def flush(self) -> None:
        """Publish what is marked now (the listener is closing)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._marked:
            providers, self._marked = self._marked, set()
            await self._publish(providers)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
