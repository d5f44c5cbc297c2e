"""The shipped broker back-off suits a LAN: a returning broker is retried within seconds."""

from __future__ import annotations

import random

from config.settings import BrokerSettings
from core.backoff import Backoff


def test_default_broker_backoff_retries_a_returning_broker_within_a_few_seconds() -> None:
    broker = BrokerSettings()
    backoff = Backoff(broker.reconnect_min_s, broker.reconnect_max_s)
    rng = random.Random(3)
    waits = [backoff.delay(attempt, rng) for attempt in range(200)]
    assert max(waits) <= 3.0
    assert waits[0] <= 0.5  # the first retry comes quickly


def test_default_broker_backoff_is_jittered_at_its_ceiling() -> None:
    broker = BrokerSettings()
    backoff = Backoff(broker.reconnect_min_s, broker.reconnect_max_s)
    rng = random.Random(4)
    late = {round(backoff.delay(50, rng), 3) for _ in range(50)}
    assert len(late) > 40  # many kiosks do not retry in step
    assert min(late) >= broker.reconnect_max_s / 2
