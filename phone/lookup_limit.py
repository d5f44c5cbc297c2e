"""Failed own-appointment lookups counted across calls (pure; ``now`` is passed in).

Three failed lookups per call (``phone.own_appointment``) do not stop a caller who hangs
up and calls again to walk through birth dates. This counts failed lookups per caller
number over a sliding window, and for the whole line over an hour (a caller ID is easy to
forge, so a different number per call still meets the line's bound); past either, key 3
is refused and the caller is offered the desk and a callback instead.

The number is never kept: it is reduced at once to an HMAC-SHA256 under a key drawn at
start and held only in memory (so the table cannot be reversed by trying every number,
and a restart forgets it). Calls with no number (withheld) share one entry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from dataclasses import dataclass

LINE_WINDOW_S = 3600.0
WITHHELD = "withheld"


@dataclass(frozen=True)
class LookupLimits:
    per_number: int = 6  # failed lookups one caller number may make in ``window_s``
    window_s: float = 86_400.0
    per_line_hour: int = 30  # failed lookups from all callers together in an hour
    max_numbers: int = 10_000  # numbers remembered at once; the stalest are forgotten first


class LookupLimiter:
    def __init__(self, limits: LookupLimits, key: bytes | None = None) -> None:
        self.limits = limits
        self._key = key or secrets.token_bytes(32)
        self._failures: dict[str, deque[float]] = {}
        self._line: deque[float] = deque()

    def number_key(self, number: str) -> str:
        """What the limiter keeps of a caller number (never the number)."""
        digits = "".join(ch for ch in number if ch.isdigit())
        if not digits:
            return WITHHELD
        return hmac.new(self._key, digits.encode(), hashlib.sha256).hexdigest()[:32]

    def refused(self, number_key: str, now: float) -> str:
        """Why a lookup for ``number_key`` is refused now ("number" or "line"), or ""."""
        self._expire(now)
        failures = self._failures.get(number_key)
        if failures is not None and len(failures) >= self.limits.per_number:
            return "number"
        if len(self._line) >= self.limits.per_line_hour:
            return "line"
        return ""

    def failed(self, number_key: str, now: float) -> None:
        """A lookup for ``number_key`` found nothing."""
        self._expire(now)
        failures = self._failures.pop(number_key, None) or deque()
        failures.append(now)
        self._failures[number_key] = failures  # re-inserted: the dict's order is staleness
        self._line.append(now)
        while len(self._failures) > self.limits.max_numbers:
            del self._failures[next(iter(self._failures))]

    def __len__(self) -> int:
        return len(self._failures)

    def _expire(self, now: float) -> None:
        while self._line and now - self._line[0] >= LINE_WINDOW_S:
            self._line.popleft()
        stale = []
        for key, failures in self._failures.items():
            while failures and now - failures[0] >= self.limits.window_s:
                failures.popleft()
            if not failures:
                stale.append(key)
        for key in stale:
            del self._failures[key]


__all__ = ["WITHHELD", "LookupLimiter", "LookupLimits"]
