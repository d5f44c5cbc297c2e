"""The hub's answer to a phone line's caller-ID lookup (``sync.messages.CallerLookup``):
the one booked, not cancelled appointment today whose patient's contact
(``hub.notify.contacts.PatientContact``, imported with the schedule) has the caller's
E.164 number, or none - zero matches and several get the same empty answer, so a number
shared by a family names nobody.

The answer goes only to the asking line (``hub/caller/<line>``; ``sync.acl`` lets no other
login read it). The line still asks the caller for the birth date and answers only when
it is the matched appointment's (docs/phone.md): a forged caller ID buys the forger one
question fewer, never the appointment. Lookups are rate-limited per line (a token bucket,
time passed in); each is counted by outcome; the log names the line and the outcome,
never the number.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from core.clock import Clock
from hub.store import HubStore
from sync import messages as m
from sync.topics import TopicTree
from sync.wire import Message

log = logging.getLogger(__name__)

Publish = Callable[[str, Message, bool], None]

BURST = 20  # lookups a line may ask at once (one per key 3 pressed: a busy morning's calls)
PER_MINUTE = 30.0  # then this many a minute
MAX_LINES = 256  # buckets kept (the least recently asked forgotten first)


@dataclass
class LineBuckets:
    """A token bucket per line id (pure: ``now`` is a monotonic time passed in)."""

    burst: int = BURST
    per_minute: float = PER_MINUTE
    max_lines: int = MAX_LINES
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # line -> (tokens, at)

    def take(self, line: str, now: float) -> bool:
        tokens, at = self._buckets.pop(line, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - at) * self.per_minute / 60.0)
        ok = tokens >= 1.0
        self._buckets[line] = (tokens - 1.0 if ok else tokens, now)  # re-inserted: newest last
        while len(self._buckets) > self.max_lines:
            del self._buckets[next(iter(self._buckets))]
        return ok


def matched_appointment(store: HubStore, number: str, day: str) -> str:
    """The one booked appointment on ``day`` whose contact has ``number`` ("": none, or several)."""
    found = store.notify.booked_with_phone(number, day)
    return found[0] if len(found) == 1 else ""


class CallerMatcher:
    """On the hub worker: ``answer(store, lookup)`` publishes the ``CallerMatch``."""

    def __init__(self, tree: TopicTree, clock: Clock, stats: Counter[str], publish: Publish) -> None:
        self._tree = tree
        self._clock = clock
        self._stats = stats
        self._publish = publish
        self.buckets = LineBuckets()

    def answer(self, store: HubStore, lookup: m.CallerLookup) -> None:
        line = lookup.kiosk_id
        if not self.buckets.take(line, self._clock.monotonic()):
            # No answer at all: the line's wait runs out and its caller is asked as without a match.
            self._stats["caller_lookups_limited"] += 1
            log.warning("caller lookup over the line's rate", extra={"kiosk": line})
            return
        found = matched_appointment(store, lookup.number, self._clock.now().date().isoformat())
        outcome = "matched" if found else "unmatched"
        self._stats[f"caller_lookups_{outcome}"] += 1
        log.info("caller lookup answered", extra={"kiosk": line, "outcome": outcome})
        self._publish(self._tree.caller_match(line), m.CallerMatch(lookup.key, found), False)


__all__ = ["BURST", "PER_MINUTE", "CallerMatcher", "LineBuckets", "matched_appointment"]
