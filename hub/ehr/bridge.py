"""The EHR loop's way to the hub thread: ``await on_hub(fn)`` runs ``fn(store)`` there
(``HubService.submit``) and resumes the coroutine with its result, without blocking
the loop (the hub answers through ``call_soon_threadsafe``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from hub.service import HubNotOpen
from hub.store import HubStore

HubFn = Callable[[HubStore], tuple[Any, Iterable[str]]]


class Submits(Protocol):
    def submit(self, fn: HubFn, done: Callable[[Any, BaseException | None], None]) -> bool: ...


class Bridge:
    def __init__(self, hub: Submits) -> None:
        self.hub = hub

    async def on_hub(self, fn: HubFn) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()

        def done(result: Any, error: BaseException | None) -> None:  # on the hub thread
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
                loop.call_soon_threadsafe(_settle, future, result, error)

        if not self.hub.submit(fn, done):
            raise HubNotOpen()
        return await future


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
