"""Kiosks (as processes) check patients in steadily while the broker is SIGKILLed and
restarted at random moments, and the hub is SIGKILLed too, or away for a while: every
check-in a kiosk committed reaches the hub exactly once, every outbox empties, and every
database passes ``PRAGMA integrity_check``.

The broker saves its memory only every few minutes (as a practice's would), so each kill
erases what it held: the hub's acknowledgement, not the broker's PUBACK, is what lets a
kiosk forget a check-in. Downtimes are scaled to keep ``make test`` short;
``python -m devtools.soak`` runs the same story for longer.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.broker import Broker
from tests.support.practice import Practice, assert_exactly_once


@pytest.fixture
def practice(broker: Broker, tmp_path: Path) -> Iterator[Practice]:
    seed = random.randrange(1 << 30)
    p = Practice(broker, tmp_path, seed)
    p.events.append(f"seed {seed}")
    yield p
    p.close()


def test_broker_and_hub_killed_at_random_moments_lose_nothing(practice: Practice) -> None:
    rng = practice.rng
    hub_kills_at = set(rng.sample(range(2, 20), 4))

    def chaos() -> None:
        for cycle in range(20):
            time.sleep(rng.uniform(0.2, 1.0))
            practice.kill_broker(rng.uniform(0.1, 0.7))
            if cycle in hub_kills_at:
                time.sleep(rng.uniform(0.0, 0.5))
                practice.kill_hub(rng.uniform(0.2, 1.0))

    practice.check_in_while(chaos)
    assert sum(e.startswith("broker down") for e in practice.events) == 20
    assert sum(e.startswith("hub down") for e in practice.events) == 4
    assert_exactly_once(practice)


def test_broker_killed_while_the_hub_is_away_loses_nothing(practice: Practice) -> None:
    rng = practice.rng

    def chaos() -> None:
        time.sleep(1.0)
        practice.stop_hub_hard()
        practice.events.append("hub away")
        for _ in range(5):  # the hub's queued session at the broker dies with each kill
            time.sleep(rng.uniform(0.5, 1.5))
            practice.kill_broker(rng.uniform(0.1, 0.7))
        time.sleep(1.0)
        practice.start_hub()
        practice.events.append("hub back")
        time.sleep(2.0)

    practice.check_in_while(chaos)
    assert_exactly_once(practice)
