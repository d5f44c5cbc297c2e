"""How often the hub republishes retained state that a burst would otherwise repeat.

* **A provider's schedule after check-ins.** Every check-in that changes an appointment is
  published at once as an ``appointment`` event (kiosks apply it by version); the retained
  full schedule after it only fills gaps and serves kiosks that connect later. Under a
  burst - a site's backlog after an outage, many kiosks at once - a 10 KB day after each
  of dozens of small batches a second multiplies the traffic to every kiosk by the batch
  rate: at most once a second per provider is enough.
* **Display receipts.** Each kiosk's ``display`` receipt changes the provider's ``receipt``
  (one more kiosk shows it), and every kiosk of the site receives each ``receipt``: one
  status change at a site of N kiosks would cost N x N messages. At most every half
  second, the receipts still fill in as the kiosks answer.

``Pacer`` lets a key out at once when it has not gone out for ``interval_s``, and otherwise
once when the interval is over (``due``, from the hub's tick).
"""

from __future__ import annotations

from collections.abc import Iterable

SCHEDULE_S = 1.0
RECEIPTS_S = 0.5


class Pacer:
    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._sent: dict[str, float] = {}  # key -> monotonic time it last went out
        self._due: set[str] = set()

    def now_or_later(self, keys: Iterable[str], now: float) -> list[str]:
        """The keys that go out now; the others wait for ``due``."""
        out = []
        for key in keys:
            if now - self._sent.get(key, float("-inf")) >= self._interval_s:
                self._sent[key] = now
                self._due.discard(key)
                out.append(key)
            else:
                self._due.add(key)
        return sorted(out)

    def due(self, now: float) -> list[str]:
        """The held-back keys whose interval is over (call from a tick)."""
        ready = sorted(k for k in self._due if now - self._sent.get(k, float("-inf")) >= self._interval_s)
        for key in ready:
            self._due.discard(key)
            self._sent[key] = now
        return ready


__all__ = ["RECEIPTS_S", "SCHEDULE_S", "Pacer"]
