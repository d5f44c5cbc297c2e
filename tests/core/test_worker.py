"""The worker primitive: a raising handler is contained, a hanging one is seen."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from core.worker import Batcher, Worker, WorkerStopped


@pytest.fixture
def worker() -> Iterator[Worker]:
    w = Worker("test-worker", stall_s=0.2)
    w.start()
    yield w
    w.stop()


def _boom(_secret: str) -> None:
    raise ValueError("patient Zelda Quux 1980-02-01")


def test_call_returns_the_result_on_the_worker_thread(worker: Worker) -> None:
    assert worker.call(lambda: threading.current_thread().name) == "test-worker"
    assert worker.call(lambda a, b: a + b, 2, 3) == 5


def test_call_raises_the_handlers_exception_in_the_caller_and_the_worker_goes_on(worker: Worker) -> None:
    with pytest.raises(ValueError, match="Zelda"):
        worker.call(_boom, "x")
    assert worker.call(lambda: 42) == 42
    assert worker.health().alive


def test_a_posted_handler_that_raises_is_counted_logged_without_its_text_and_never_fatal(
    worker: Worker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    for _ in range(5):
        assert worker.post(_boom, "Zelda")
    assert worker.call(lambda: "still here") == "still here"
    health = worker.health()
    assert health.errors == 5
    assert health.alive and health.responsive
    assert health.last_error == "_boom: ValueError"
    assert caplog.records, "the error was not logged"
    for record in caplog.records:
        assert "Zelda" not in record.getMessage()
        assert "Zelda" not in str(record.__dict__)


def test_a_handler_that_hangs_makes_the_worker_unresponsive_until_it_returns(worker: Worker) -> None:
    release = threading.Event()
    assert worker.post(release.wait, 5.0)
    deadline = time.monotonic() + 3.0
    while worker.responsive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not worker.responsive()
    assert worker.health().busy_s > 0.2
    with pytest.raises(TimeoutError):
        worker.call(lambda: 1, timeout=0.1)
    release.set()
    assert worker.call(lambda: 1) == 1
    assert worker.responsive()


def test_a_tick_that_raises_keeps_ticking() -> None:
    ticks: list[int] = []

    def tick() -> None:
        ticks.append(1)
        raise RuntimeError("tick")

    w = Worker("ticker", tick_s=0.01, on_tick=tick)
    w.start()
    try:
        deadline = time.monotonic() + 3.0
        while len(ticks) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(ticks) >= 5
        assert w.health().errors >= 5 and w.health().alive
    finally:
        w.stop()


def test_stop_runs_what_is_queued_then_on_stop_and_refuses_new_work() -> None:
    done: list[str] = []
    w = Worker("stopper", on_stop=lambda: done.append("stop"))
    w.start()
    for i in range(3):
        w.post(done.append, str(i))
    assert w.stop()
    assert done == ["0", "1", "2", "stop"]
    assert not w.post(done.append, "late")
    with pytest.raises(WorkerStopped):
        w.call(lambda: 1)


def test_a_start_hook_that_fails_is_reported_not_raised_in_the_thread() -> None:
    def fail() -> None:
        raise OSError("disk full")

    w = Worker("broken", on_start=fail)
    w.start()
    assert isinstance(w.start_error, OSError)
    assert not w.running
    assert not w.post(lambda: None)


def test_a_full_inbox_drops_and_counts_instead_of_blocking_the_producer() -> None:
    release = threading.Event()
    w = Worker("bounded", maxsize=2)
    w.start()
    try:
        w.post(release.wait, 5.0)
        time.sleep(0.05)  # the worker is now inside the blocking item
        results = [w.post(lambda: None) for _ in range(5)]
        assert results.count(False) == 3
        assert w.health().dropped == 3
    finally:
        release.set()
        w.stop()


def test_idle_hook_runs_when_the_inbox_runs_dry() -> None:
    seen: list[int] = []
    items: list[int] = []
    w = Worker("idle", on_idle=lambda: seen.append(len(items)))
    w.start()
    try:
        w.call(lambda: [w.post(items.append, i) for i in range(3)])
        w.call(lambda: None)
        assert seen and seen[-1] == 3
    finally:
        w.stop()


def test_a_tick_paces_itself_by_returning_its_next_delay_and_posts_run_in_between() -> None:
    ticks: list[float] = []
    posted: list[float] = []

    def tick() -> float:
        ticks.append(time.monotonic())
        return 0.2 if len(ticks) == 1 else 10.0

    w = Worker("paced", tick_s=0.0, on_tick=tick)
    w.start()
    try:
        assert _until(lambda: len(ticks) == 2, 5.0)
        w.call(lambda: posted.append(time.monotonic()))  # answered during the 10 s wait
        assert ticks[1] - ticks[0] >= 0.15
        assert len(ticks) == 2 and posted[0] - ticks[1] < 5.0
    finally:
        assert w.stop(timeout=2.0)  # the long wait does not hold up the stop


def test_a_tick_that_raises_is_counted_and_ticks_again() -> None:
    ticks: list[int] = []

    def tick() -> None:
        ticks.append(1)
        raise OSError("read failed")

    w = Worker("ticker", tick_s=0.01, on_tick=tick)
    w.start()
    try:
        assert _until(lambda: len(ticks) >= 3, 5.0)
        assert w.health().errors >= 2 and w.health().last_error.endswith("OSError")
    finally:
        w.stop()


def _until(predicate: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def test_has_work_says_whether_items_wait(worker: Worker) -> None:
    release = threading.Event()
    assert not worker.has_work()
    worker.post(release.wait, 5.0)
    worker.post(lambda: None)
    deadline = time.monotonic() + 2.0
    while not worker.has_work() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.has_work()  # the second item waits behind the first
    release.set()
    assert worker.call(worker.has_work) is False


def test_a_batcher_hands_a_burst_over_in_one_inbox_round_in_order_and_a_raising_item_costs_only_itself(
    worker: Worker,
) -> None:
    seen: list[int] = []
    posts: list[int] = []
    gate = threading.Event()

    def handle(n: int) -> None:
        if n == 3:
            raise ValueError("item 3")
        seen.append(n)

    batcher = Batcher(worker, handle, on_posted=lambda: posts.append(1))
    assert worker.post(gate.wait, 5.0)  # hold the worker while the burst queues up
    for n in range(200):
        assert batcher.add(n)
    gate.set()
    worker.call(lambda: None)  # posted after the burst, so handled after it
    assert seen == [n for n in range(200) if n != 3]
    assert posts == [1]  # one drain for the whole burst
    assert worker.health().errors == 1
    assert batcher.add(500)
    assert worker.call(lambda: seen[-1]) == 500
    assert posts == [1, 1]  # the next burst posts its own drain


def test_a_batcher_on_a_stopped_worker_refuses_and_keeps_nothing() -> None:
    w = Worker("stopped")
    seen: list[int] = []
    batcher = Batcher(w, seen.append)
    assert batcher.add(1) is False  # never started
    w.start()
    assert batcher.add(2)
    w.stop()
    assert seen == [2]  # what was queued before stop() is handled
    assert batcher.add(3) is False
