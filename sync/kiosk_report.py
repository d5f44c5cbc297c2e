"""What a kiosk says about itself: its birth message, its health, its display receipt, and
since when its cache is known to match the hub. Plain functions and two small stateful
helpers, run on the kiosk's sync worker (``sync.kiosk_sync``)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from core.clock import Clock
from core.errors import KioskError
from core.version import __version__
from core.worker import WorkerHealth
from sync import messages as m
from sync.cache import KioskCache
from sync.outbox import OutboxReport

log = logging.getLogger(__name__)

_LIVE_META = "last_live_at"
_LIVE_WRITE_EVERY_S = 5.0


def availability(kiosk_id: str, online: bool, clock: Clock, cache: KioskCache | None) -> m.KioskAvailability:
    """The birth message (what the cache holds) or, offline, the farewell."""
    summary = cache.summary() if cache is not None and online else m.CacheSummary()
    return m.KioskAvailability(
        kiosk_id, online, software_version=__version__, at=clock.now().isoformat(), cache=summary
    )


def kiosk_health(
    kiosk_id: str,
    now: datetime,
    *,
    connected: bool,
    cache_age_s: float,
    outbox: OutboxReport,
    worker: WorkerHealth,
    stats: Counter[str],
    rejected: Counter[str],
    devices: dict[str, m.DeviceState],
    metrics: dict[str, float],
) -> m.KioskHealth:
    counters = {k: float(v) for k, v in stats.items()}
    counters["worker_errors"] = float(worker.errors)
    counters["worker_dropped"] = float(worker.dropped)
    return m.KioskHealth(
        kiosk_id=kiosk_id,
        at=now.isoformat(),
        connected=connected,
        cache_age_s=cache_age_s,
        outbox_depth=outbox.unacknowledged,
        software_version=__version__,
        rejected=dict(rejected),
        devices=devices,
        metrics={**counters, **metrics},
        outbox_queued=outbox.queued,
        outbox_sent=outbox.sent,
        oldest_unacked_s=outbox.oldest_s,
        oldest_unacked_checkin_s=outbox.oldest_checkin_s,
        oldest_unacked_checkin_seq=outbox.oldest_checkin_seq,
    )


class Receipts:
    """The display receipt: a new one only when what is displayed changed."""

    def __init__(self, kiosk_id: str, clock: Clock, stats: Counter[str]) -> None:
        self._kiosk_id = kiosk_id
        self._clock = clock
        self._stats = stats
        self.last: m.DisplayAck | None = None  # the last one published

    def next(
        self, versions: dict[str, int], screen: bool, epoch: m.Epoch | None = None
    ) -> m.DisplayAck | None:
        """The receipt to publish for ``versions`` (of the hub epoch ``epoch``), or None when
        it would say nothing new."""
        last = self.last
        epoch = epoch or m.Epoch()
        if last is not None and (last.versions, last.screen, last.epoch) == (versions, screen, epoch):
            return None
        self.last = m.DisplayAck(
            self._kiosk_id, versions, at=self._clock.now().isoformat(), screen=screen, epoch=epoch
        )
        self._stats["receipts_screen" if screen else "receipts_cache"] += 1
        return self.last


class Freshness:
    """Persists "in step with the hub as of now", at most every few seconds (each write syncs)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._written = float("-inf")

    def mark(self, cache: KioskCache, force: bool = False) -> None:
        mono = self._clock.monotonic()
        if force or mono - self._written >= _LIVE_WRITE_EVERY_S:
            cache.set_meta(_LIVE_META, self._clock.now().isoformat())
            self._written = mono


def cache_age_from_meta(cache: KioskCache, clock: Clock) -> float:
    """Seconds since the cache was last known to match the hub, from any thread's cache."""
    stamp = cache.get_meta(_LIVE_META)
    if not stamp:
        return -1.0
    try:
        return max(0.0, (clock.now() - datetime.fromisoformat(stamp)).total_seconds())
    except ValueError:
        return -1.0


def flush_counters(cache: KioskCache, rejected: Counter[str]) -> None:
    """Add the rejections counted since the last flush to the cache's counters (they
    survive a restart; ``kiosk doctor`` reads them)."""
    counts = {f"rejected_{k}": v for k, v in rejected.items()}
    saved = {k: v for k, v in cache.counters().items() if k.startswith("rejected_")}
    delta = {k: v - saved.get(k, 0) for k, v in counts.items() if v > saved.get(k, 0)}
    try:
        cache.bump(delta)
    except KioskError as exc:
        log.error("could not save counters: %s", exc)


__all__ = ["Freshness", "Receipts", "availability", "cache_age_from_meta", "flush_counters", "kiosk_health"]
