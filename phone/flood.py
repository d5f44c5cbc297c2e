"""INVITE flood limit: a token bucket per source address (pure; ``now`` is passed in).

Each address may start ``burst`` calls at once and ``rate`` a second after that. The table
holds at most ``max_peers`` addresses: when full, buckets that have refilled (they carry
no state worth keeping) are forgotten first, then the longest idle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class InviteLimiter:
    def __init__(self, rate: float, burst: int, max_peers: int = 4096) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.max_peers = max_peers
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, peer: str, now: float) -> bool:
        """Take a token for a new INVITE from ``peer``; False when it has none left."""
        bucket = self._buckets.get(peer)
        if bucket is None:
            self._make_room(now)
            bucket = self._buckets[peer] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def retry_after(self, peer: str) -> int:
        """Whole seconds until ``peer`` has a token again (at least 1)."""
        bucket = self._buckets.get(peer)
        missing = 1.0 - (bucket.tokens if bucket else 1.0)
        return max(1, int(missing / self.rate + 0.999))

    def __len__(self) -> int:
        return len(self._buckets)

    def _make_room(self, now: float) -> None:
        if len(self._buckets) < self.max_peers:
            return
        full = [p for p, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst]
        for peer in full:
            del self._buckets[peer]
        if len(self._buckets) >= self.max_peers:
            oldest = min(self._buckets, key=lambda p: self._buckets[p].at)
            del self._buckets[oldest]


__all__ = ["InviteLimiter"]
