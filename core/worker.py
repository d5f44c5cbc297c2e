"""One worker primitive: a named thread with an inbox, the only way product code runs work
off the caller's thread.

A ``Worker`` takes work with ``post(fn, *args)`` (fire and forget) or ``call(fn, *args)``
(wait for the result), runs an optional ``on_tick`` every ``tick_s`` (or after the delay
it returns, for loops that pace themselves) and an ``on_idle`` hook when its inbox runs
dry. A handler that raises never kills the worker: the exception is logged with the
handler's name and the exception type only (handlers' arguments may carry patient data),
counted in ``health()``, and the worker goes on with its next item.
A handler that hangs shows as ``responsive() == False`` once it has been busy longer than
``stall_s``, which the systemd watchdog follows.

Shape taken from the actor model: one thread owns its state, everyone else sends it
messages. No thread per call, no sleep-polling.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

_STOP = object()


@dataclass(frozen=True)
class WorkerHealth:
    name: str
    alive: bool
    responsive: bool
    handled: int
    errors: int
    dropped: int
    queued: int
    busy_s: float  # how long the current item has been running (0 when idle)
    last_error: str  # "handler: ExceptionType", never the exception's text


class WorkerStopped(RuntimeError):
    """Work was sent to a worker that is not running (never started, or stopped)."""


class Worker:
    """A thread with an inbox. Create, ``start()``, send work, ``stop()``.

    ``on_tick`` may return the seconds until its next run (a camera that paces its frames,
    a reader that backs off after an error); ``None`` means ``tick_s``. Inbox items are
    handled while the worker waits for its next tick, so a device read in ``on_tick``
    and the writes posted to the same worker share one thread.

    ``maxsize`` bounds the inbox (0: unbounded); a full inbox drops the new item, counts
    it and logs once per burst (a producer must never block on a stuck consumer).
    """

    def __init__(
        self,
        name: str,
        *,
        tick_s: float = 0.0,
        on_tick: Callable[[], float | None] | None = None,
        on_idle: Callable[[], None] | None = None,
        on_start: Callable[[], None] | None = None,
        on_stop: Callable[[], None] | None = None,
        stall_s: float = 10.0,
        maxsize: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._tick_s = tick_s
        self._on_tick = on_tick
        self._on_idle = on_idle
        self._on_start = on_start
        self._on_stop = on_stop
        self._stall_s = stall_s
        self._clock = clock
        self._inbox: queue.Queue[Any] = queue.Queue(maxsize)
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stopping = False
        self._busy_since: float | None = None
        self._handled = 0
        self._errors = 0
        self._dropped = 0
        self._last_error = ""
        self.start_error: BaseException | None = None

    # --- lifecycle --------------------------------------------------------------------

    def start(self, wait: bool = True) -> None:
        """Start the thread; with ``wait``, return once ``on_start`` has run (or failed:
        then ``start_error`` holds why and the worker is not running)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        if wait:
            self._started.wait()

    def stop(self, timeout: float = 5.0) -> bool:
        """Finish what is queued, run ``on_stop``, end the thread. True if it ended in time."""
        thread = self._thread
        if thread is None:
            return True
        if thread.is_alive() and not self._stopping:
            self._stopping = True
            self._inbox.put(_STOP)  # never dropped: unbounded puts block only when full
        if thread is threading.current_thread():
            return False
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping

    def has_work(self) -> bool:
        """Items wait in the inbox (an ``on_tick`` that blocks, e.g. in ``select``, should not)."""
        return not self._inbox.empty()

    def is_current(self) -> bool:
        """True on the worker's own thread (work there must not ``call`` itself)."""
        return self._thread is threading.current_thread()

    # --- sending work -----------------------------------------------------------------

    def post(self, fn: Callable[..., object], *args: object) -> bool:
        """Queue ``fn(*args)``; False when it could not be queued (stopped, or inbox full)."""
        if not self.running:
            return False
        try:
            self._inbox.put_nowait((fn, args, None))
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                log.warning("worker inbox full: item dropped", extra={"worker": self.name})
            return False
        return True

    def call(self, fn: Callable[..., T], *args: object, timeout: float = 10.0) -> T:
        """Run ``fn(*args)`` on the worker and return its result (its exception is raised
        here, in the caller). ``TimeoutError`` when the worker does not answer in time."""
        if self.is_current():
            return fn(*args)
        future: Future[T] = Future()
        if not self.running:
            raise WorkerStopped(f"worker {self.name} is not running")
        self._inbox.put((fn, args, future))
        return future.result(timeout)

    # --- health -----------------------------------------------------------------------

    def responsive(self) -> bool:
        """Alive and not stuck in one item for longer than ``stall_s`` (for the watchdog)."""
        if not (self._thread is not None and self._thread.is_alive()):
            return False
        since = self._busy_since
        return since is None or self._clock() - since <= self._stall_s

    def health(self) -> WorkerHealth:
        since = self._busy_since
        return WorkerHealth(
            name=self.name,
            alive=self._thread is not None and self._thread.is_alive(),
            responsive=self.responsive(),
            handled=self._handled,
            errors=self._errors,
            dropped=self._dropped,
            queued=self._inbox.qsize(),
            busy_s=0.0 if since is None else max(0.0, self._clock() - since),
            last_error=self._last_error,
        )

    # --- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        if self._on_start is not None:
            try:
                self._on_start()
            except BaseException as exc:  # noqa: BLE001 - reported through start_error
                self.start_error = exc
                self._stopping = True
                self._started.set()
                log.error("worker failed to start: %s", type(exc).__name__, extra={"worker": self.name})
                return
        self._started.set()
        next_tick = self._clock() + self._tick_s if self._on_tick is not None else None
        try:
            while True:
                timeout = None if next_tick is None else max(0.0, next_tick - self._clock())
                try:
                    item = self._inbox.get(timeout=timeout)
                except queue.Empty:
                    item = None
                if item is _STOP:
                    break
                if item is not None:
                    self._handle(*item)
                    if self._on_idle is not None and self._inbox.empty():
                        self._guarded(self._on_idle)
                if next_tick is not None and self._clock() >= next_tick:
                    next_tick = self._clock() + self._tick()
        finally:
            self._drain_refused()
            if self._on_stop is not None:
                self._guarded(self._on_stop)

    def _tick(self) -> float:
        """Run ``on_tick``; the delay until the next one (``tick_s`` unless it said otherwise)."""
        tick = self._on_tick
        delay = self._guarded(tick) if tick is not None else None
        return self._tick_s if delay is None else max(0.0, float(delay))

    def _handle(self, fn: Callable[..., Any], args: tuple[Any, ...], future: Future[Any] | None) -> None:
        if future is not None:
            if not future.set_running_or_notify_cancel():
                return
            self._busy_since = self._clock()
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
                future.set_exception(exc)
            finally:
                self._busy_since = None
                self._handled += 1
            return
        self._guarded(fn, *args)

    def guarded(self, fn: Callable[..., Any], *args: Any) -> Any:
        """On the worker: run ``fn(*args)`` as a handler of its own (an exception is counted
        and logged, never raised); its result, or None when it raised."""
        return self._guarded(fn, *args)

    def _guarded(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)``'s result, or None when it raised (counted and logged)."""
        self._busy_since = self._clock()
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - a handler that raises never kills its worker
            self._errors += 1
            handler = getattr(fn, "__qualname__", type(fn).__name__)
            self._last_error = f"{handler}: {type(exc).__name__}"
            # The type and the traceback's code lines only: the text of an exception raised
            # while handling a message may quote the message, and messages carry patient data.
            log.error(
                "worker handler raised",
                extra={"worker": self.name, "handler": handler, "error": type(exc).__name__},
            )
            return None
        finally:
            self._busy_since = None
            self._handled += 1

    def _drain_refused(self) -> None:
        """Callers still waiting when the worker ends get an answer, not a time-out."""
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP and item[2] is not None:
                item[2].set_exception(WorkerStopped(f"worker {self.name} stopped"))


class Batcher(Generic[T]):
    """Items from any thread, handled one by one on ``worker``, one inbox round per burst.

    ``add`` appends to a deque and posts one drain for the whole burst, so a producer that
    hands a worker thousands of items (a network loop's events, a replay's publishes) pays
    one inbox round (a lock, a wake-up) per burst instead of per item. Each item runs as a
    handler of its own: one that raises is counted by the worker, and the next item goes on.
    Order is kept among the batcher's items, and an item added before some other ``post``
    to the worker is handled before it. The worker's ``on_idle`` runs after the burst.
    """

    def __init__(
        self,
        worker: Worker,
        handler: Callable[[T], None],
        *,
        on_posted: Callable[[], None] | None = None,
    ) -> None:
        self._worker = worker
        self._handler = handler
        self._on_posted = on_posted  # e.g. wake the worker out of a select()
        self._items: deque[T] = deque()
        self._posted = False

    def add(self, item: T) -> bool:
        """Queue ``item`` from any thread; False when the worker does not take work
        (stopped, or its inbox full): then the burst's waiting items are dropped."""
        self._items.append(item)  # appended before _posted is read: see _drain
        if self._posted:
            return True
        self._posted = True
        if not self._worker.post(self._drain):
            self._posted = False
            self._items.clear()
            return False
        if self._on_posted is not None:
            self._on_posted()
        return True

    def _drain(self) -> None:
        # Cleared before taking items: an item appended meanwhile is either taken now, or
        # its producer saw False and posted the next drain. At most the items present now
        # are taken, so a producer that never pauses cannot starve the worker's inbox.
        self._posted = False
        for _ in range(len(self._items)):
            try:
                item = self._items.popleft()
            except IndexError:
                return
            self._worker.guarded(self._handler, item)


__all__ = ["Batcher", "Worker", "WorkerHealth", "WorkerStopped"]
