"""How often a provider's retained schedule is republished after check-ins change it.

Every check-in that changes an appointment is published at once as an ``appointment``
event (kiosks apply it by version). The retained full schedule after it only fills gaps
and serves kiosks that connect later, so it need not follow every batch: under a burst -
a site's backlog after an outage, many kiosks at once - republishing a 10 KB day after
each of dozens of small batches a second multiplies the traffic to every kiosk by the
batch rate. ``SchedulePacer`` lets a provider's schedule out at once when it has not been
published for ``interval_s``, and otherwise once when the interval is over (the hub's tick).
"""

from __future__ import annotations

from collections.abc import Iterable

INTERVAL_S = 1.0


class SchedulePacer:
    def __init__(self, interval_s: float = INTERVAL_S) -> None:
        self._interval_s = interval_s
        self._sent: dict[str, float] = {}  # provider -> monotonic time of its last republish
        self._due: set[str] = set()

    def now_or_later(self, providers: Iterable[str], now: float) -> list[str]:
        """The providers whose schedule goes out now; the others wait for ``due``."""
        out = []
        for provider_id in providers:
            if now - self._sent.get(provider_id, float("-inf")) >= self._interval_s:
                self._sent[provider_id] = now
                self._due.discard(provider_id)
                out.append(provider_id)
            else:
                self._due.add(provider_id)
        return sorted(out)

    def due(self, now: float) -> list[str]:
        """The held-back providers whose interval is over (call from a tick)."""
        ready = sorted(p for p in self._due if now - self._sent.get(p, float("-inf")) >= self._interval_s)
        for provider_id in ready:
            self._due.discard(provider_id)
            self._sent[provider_id] = now
        return ready


__all__ = ["INTERVAL_S", "SchedulePacer"]
