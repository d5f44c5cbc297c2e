"""The one reconnect back-off: capped, jittered, for the MQTT link and every device."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Attempt ``n`` (0-based) waits uniform(ceiling / 2, ceiling), where
    ceiling = min(max_s, min_s * 2**n): the first retry comes quickly, a long outage is
    retried every ``max_s`` at most, and many clients never retry in step."""

    min_s: float = 0.5
    max_s: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.max_s, self.min_s * 2 ** min(max(attempt, 0), 30))
        return rng.uniform(ceiling / 2, ceiling)


__all__ = ["Backoff"]
