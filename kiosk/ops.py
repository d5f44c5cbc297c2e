"""Operations on a unit: doctor (checks on a running kiosk), purge (patient data older
than today), factory reset (credentials, caches and all patient data: ``kiosk.wipe``)."""

from __future__ import annotations

import json
import queue
from dataclasses import replace
from pathlib import Path

from config.settings import Settings
from core.clock import Clock, SystemClock
from core.errors import KioskError, WireError
from domain.board import board_rows, row_words
from kiosk.checks import (
    CheckResult,
    check_broker,
    check_clock,
    check_speech,
    check_speech_es,
    check_speech_out,
    check_state_dir,
)
from kiosk.vault_checks import check_secrets
from kiosk.wipe import factory_reset
from sync import messages as m
from sync.cache import KioskCache
from sync.kiosk_sync import cache_age_from_meta
from sync.link import LinkEvent, MqttLink
from sync.outbox import Outbox, age_s
from sync.sqlite import integrity_ok
from sync.topics import TopicTree
from sync.vault import cache_key_source
from sync.wire import decode


def cache_path(settings: Settings) -> Path:
    return Path(settings.kiosk.state_dir) / "kiosk.sqlite"


def doctor(settings: Settings, clock: Clock | None = None, broker_timeout: float = 2.0) -> list[CheckResult]:
    """Answers within about ``broker_timeout`` + 1 s when the broker is unreachable. An
    unreachable broker is a warning while the cache holds today's day (the kiosk serves
    patients from it and queues their check-ins), a failure otherwise."""
    clock = clock or SystemClock()
    results = [
        check_state_dir(Path(settings.kiosk.state_dir)),
        *check_secrets(settings, cache_path(settings)),
    ]
    cached, serving, last_synced = _cache_section(settings, clock)
    results += cached
    results.append(check_clock(clock, last_synced))
    results.append(check_speech(settings))
    results.append(check_speech_es(settings))
    results.append(check_speech_out(settings))
    broker = check_broker(settings.broker, settings.kiosk.id, broker_timeout)
    if broker.ok:
        results.append(broker)
        results += _reported_health(settings, broker_timeout)
    elif serving:
        advice = f"the kiosk serves patients from its cache and queues check-ins; {broker.advice}"
        results.append(replace(broker, ok=True, warning=True, advice=advice))
    else:
        results.append(broker)
    return results


def _cache_section(settings: Settings, clock: Clock) -> tuple[list[CheckResult], bool, str]:
    """The cache's checks, whether it can serve patients today, and when it last synced."""
    path = cache_path(settings)
    if not path.exists():
        return (
            [CheckResult("cache", True, "not created yet (the kiosk has not run)", warning=True)],
            False,
            "",
        )
    try:
        cache = KioskCache.open(path, cache_key_source(settings, path))
    except KioskError as exc:
        advice = "`kiosk reset --cache` rebuilds it from the hub"
        return [CheckResult("cache", False, str(exc), advice)], False, ""
    try:
        results = _cache_checks(cache, settings, clock)
        day = _cached_day(cache, clock)
        intact = all(r.ok for r in results if r.name == "cache integrity")
        return results + day, intact and not day[0].warning, cache.get_meta("last_live_at")
    finally:
        cache.close()


def _cached_day(cache: KioskCache, clock: Clock) -> list[CheckResult]:
    """Today's day as the cache holds it: what an offline kiosk shows and serves."""
    today = clock.now().date().isoformat()
    providers = [p for p in cache.providers() if p.date == today]
    if not providers:
        held = max((p.date for p in cache.providers()), default="")
        detail = f"no schedule for {today}" + (f" (the cache holds {held})" if held else "")
        return [
            CheckResult("cached day", True, detail, "the hub sends the day when it is reached", warning=True)
        ]
    age = cache_age_from_meta(cache, clock)
    counts = {p.id: len(cache.appointments_for(p.id)) for p in providers}
    age_text = "never in step with the hub" if age < 0 else f"cache {_age_words(age)} old"
    out = [
        CheckResult(
            "cached day",
            True,
            f"{today}: {len(providers)} providers, {sum(counts.values())} appointments, {age_text}",
        )
    ]
    for row in board_rows(providers, cache.statuses()):
        out.append(
            CheckResult(
                f"provider {row.name}", True, f"{row_words(row)}, {counts[row.provider_id]} appointments"
            )
        )
    return out


def _age_words(age_s: float) -> str:
    if age_s < 120:
        return f"{int(age_s)} s"
    if age_s < 7200:
        return f"{int(age_s // 60)} min"
    return f"{age_s / 3600:.1f} h"


def _cache_checks(cache: KioskCache, settings: Settings, clock: Clock) -> list[CheckResult]:
    out = []
    ok = integrity_ok(cache.db)
    out.append(
        CheckResult(
            "cache integrity",
            ok,
            "ok" if ok else "PRAGMA integrity_check failed",
            "stop the kiosk, then `kiosk reset --cache`; the hub resends the day",
        )
    )
    out.append(outbox_check(Outbox(cache.db), settings, clock))
    age = cache_age_from_meta(cache, clock)
    stale = age < 0 or age > settings.kiosk.stale_after_s
    detail = "never synced" if age < 0 else f"last in step with the hub {int(age)} s ago"
    out.append(CheckResult("sync lag", True, detail, "check the broker and the hub", warning=stale))
    return out


def outbox_check(outbox: Outbox, settings: Settings, clock: Clock) -> CheckResult:
    """What the hub has not acknowledged: queued (the broker has not taken it) and sent
    (the broker took it, the hub has not confirmed it), and how old the oldest is."""
    depths = outbox.depths()
    detail = outbox_summary(depths.queued, depths.sent, -1.0)
    oldest = outbox.oldest_unacknowledged()
    if oldest is None:
        return CheckResult("outbox", True, detail)
    age = age_s(oldest.created_at, clock.now())
    checkin = outbox.oldest_unacknowledged("checkin")
    stuck = checkin is not None and age_s(checkin.created_at, clock.now()) > settings.staff.unacked_checkin_s
    return CheckResult(
        "outbox",
        not stuck,
        outbox_summary(depths.queued, depths.sent, age),
        "queued rows go out when the broker is reachable (see the broker check); sent rows"
        " leave when the hub acknowledges them: is `kiosk hub` running?",
        warning=True,
    )


def outbox_summary(queued: int, sent: int, oldest_s: float) -> str:
    text = f"{queued} waiting to be sent, {sent} sent and awaiting the hub's acknowledgement"
    return text + (f" (oldest {int(oldest_s)} s)" if oldest_s >= 0 else "")


def _reported_health(settings: Settings, timeout: float) -> list[CheckResult]:
    """The running kiosk's own retained health message: devices and connection."""
    tree = TopicTree(settings.kiosk.practice, settings.kiosk.site)
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(
        settings.broker,
        f"{settings.kiosk.id}-doctor",
        events.put,
        subscriptions=[tree.health(settings.kiosk.id)],
    )
    link.start()
    try:
        while True:
            event = events.get(timeout=min(timeout, 3.0))
            if event.kind == "message":
                health = decode(event.payload, m.KioskHealth)
                break
    except (queue.Empty, WireError):
        return [
            CheckResult(
                "running kiosk",
                False,
                "no health report from this kiosk",
                "is the service running? `systemctl status kiosk`",
                warning=False,
            )
        ]
    finally:
        link.stop()
    out = [
        CheckResult(
            "running kiosk",
            health.connected,
            f"reported at {health.at}: {'connected' if health.connected else 'not connected'}, "
            f"outbox: {outbox_summary(health.outbox_queued, health.outbox_sent, health.oldest_unacked_s)}",
        )
    ]
    out += [
        CheckResult(
            f"device {name}",
            d.state == "ok",
            d.state + (f": {d.reason}" if d.reason else ""),
            "check the cable and the port in [devices]",
        )
        for name, d in sorted(health.devices.items())
    ]
    return out


def purge(settings: Settings, clock: Clock | None = None) -> int:
    """Remove schedules older than today from the cache; the number of appointments removed."""
    path = cache_path(settings)
    if not path.exists():
        return 0
    cache = KioskCache.open(path, cache_key_source(settings, path))
    try:
        return cache.purge_before((clock or SystemClock()).now().date().isoformat())
    finally:
        cache.close()


def results_json(results: list[CheckResult]) -> str:
    return json.dumps([r.__dict__ for r in results], indent=2)


__all__ = ["cache_path", "doctor", "factory_reset", "outbox_check", "outbox_summary", "purge", "results_json"]
