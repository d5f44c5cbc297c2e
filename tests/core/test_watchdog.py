"""The systemd watchdog runs on a Worker: it pets on its own thread while checks pass."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from core.systemd import Watchdog


def _wait(predicate: Callable[[], object], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_the_watchdog_pets_on_its_worker_and_stops_petting_when_a_check_fails() -> None:
    sent: list[str] = []
    threads: set[str] = set()
    healthy = [True]

    def check() -> bool:
        threads.add(threading.current_thread().name)
        return healthy[0]

    def send(state: str) -> bool:
        sent.append(state)
        return True

    dog = Watchdog({"loop": check}, 0.05, send=send)
    dog.start()
    try:
        assert _wait(lambda: dog.pets >= 3)
        healthy[0] = False
        assert _wait(lambda: dog.failing == ["loop"])
        pets = dog.pets
        time.sleep(0.3)
        assert dog.pets == pets  # no petting while the check fails
        healthy[0] = True
        assert _wait(lambda: dog.pets > pets)
    finally:
        dog.stop()
    assert threads == {"watchdog"}
    assert set(sent) == {"WATCHDOG=1"}


def test_a_check_that_raises_counts_as_failing_and_the_watchdog_goes_on() -> None:
    calls = [0]

    def check() -> bool:
        calls[0] += 1
        raise RuntimeError("boom")

    dog = Watchdog({"broken": check}, 0.05, send=lambda _s: True)
    dog.start()
    try:
        assert _wait(lambda: calls[0] >= 3)
        assert dog.failing == ["broken"] and dog.pets == 0
    finally:
        dog.stop()
