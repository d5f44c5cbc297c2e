"""The EHR interface in the hub's process: one worker ("ehr") runs one asyncio loop with
the MLLP listener, the arrivals sender and the day watch; everything it stores goes
through the hub worker, the one owner of the hub's database (``HubService.submit``).

Started by ``kiosk hub run`` when ``[hub.ehr] enabled = true`` (``start_interfaces``, which
also starts the FHIR poller of ``[hub.fhir]``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
from collections.abc import Callable
from datetime import timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.settings import HubEhrSettings, Settings
from core.clock import Clock
from core.errors import ConfigError, KioskError, WireError
from core.worker import Worker
from hub.ehr import acks, siu
from hub.ehr.bridge import Bridge
from hub.ehr.intake import Intake
from hub.ehr.listener import Listener
from hub.ehr.sender import ArrivalSender
from hub.service import HubService
from hub.store import HubStore
from sync import messages as m
from sync.wire import Message

log = logging.getLogger(__name__)

_DAY_WATCH_S = 20.0


def zone_of(key: str, name: str) -> tzinfo | None:
    """A practice's time zone setting as a zone (None when empty: this host's, with its DST
    rules); a wrong name is a ConfigError naming ``key``."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{key} = {name[:40]!r}: expected an IANA zone such as 'America/Chicago'") from None


def practice_zone(settings: HubEhrSettings) -> tzinfo | None:
    return zone_of("hub.ehr.timezone", settings.timezone)


def check_provider_ids(key: str, mapping: dict[str, str]) -> None:
    for ehr_id, hub_id in mapping.items():
        try:
            m.check_id(hub_id, "provider id")
        except WireError:
            raise ConfigError(
                f"{key}.{ehr_id[:40]} = {hub_id[:40]!r}: expected a hub provider id"
                " (letters, digits, '.', '_', '-')"
            ) from None


def check_settings(settings: HubEhrSettings) -> None:
    check_provider_ids("hub.ehr.providers", settings.providers)
    if settings.tls and not settings.key_file:
        raise ConfigError("hub.ehr.key_file: cert_file is set, so the listener needs its key too")


class EhrService:
    def __init__(self, settings: Settings, hub: HubService, clock: Clock | None = None) -> None:
        ehr = settings.hub.ehr
        check_settings(ehr)
        self.settings = ehr
        self.hub = hub
        self.clock = clock or hub.clock
        self.zone = practice_zone(ehr)
        self.rules = siu.Rules(self.zone, ehr.default_duration_min)
        self.intake = Intake(ehr.providers, self.zone)
        sender = acks.Sender(ehr.application, ehr.facility or settings.kiosk.practice)
        bridge = Bridge(hub)
        self.listener = Listener(
            ehr, bridge=bridge, intake=self.intake, rules=self.rules, sender=sender, now=self.clock.now
        )
        self.arrivals = ArrivalSender(ehr, bridge, self.intake, sender, self.clock.now)
        self._bridge = bridge
        self._worker = Worker("ehr", stall_s=math.inf)  # serving is its one long item
        self._listening = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._start_error: BaseException | None = None
        self._day = ""
        hub.add_listener(self._on_hub_event)

    # --- lifecycle (caller's thread) --------------------------------------------------

    def start(self, timeout: float = 60.0) -> None:
        """Listening once today's schedules are projected (a large day on a slow unit takes a while)."""
        self._worker.start()
        self._worker.post(self._serve)
        if not self._listening.wait(timeout) or self._start_error is not None:
            error = self._start_error
            self.stop()
            if isinstance(error, OSError):
                raise KioskError(
                    f"hub.ehr: cannot listen on {self.settings.host}:{self.settings.port}: {error.strerror}"
                ) from None
            raise KioskError(f"hub.ehr: the MLLP listener did not start in {timeout:.0f} s")
        log.info("ehr listening", extra={"port": self.port})

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed between the check and the call
                loop.call_soon_threadsafe(stop.set)
        self._worker.stop(10)

    def running(self) -> bool:
        return self._listening.is_set() and self._worker.running and self._start_error is None

    @property
    def port(self) -> int:
        return self.listener.port

    # --- the loop (the "ehr" worker) --------------------------------------------------

    def _serve(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self._bridge.on_hub(self._opening)
            await self.listener.start()
        except (OSError, KioskError) as exc:
            self._start_error = exc
            self._listening.set()
            return
        self._listening.set()
        tasks = [asyncio.create_task(self.arrivals.run()), asyncio.create_task(self._watch_day())]
        try:
            await self._stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await self.listener.close()
            await self.arrivals.close()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _opening(self, store: HubStore) -> tuple[None, set[str]]:
        """Connections a killed hub left open are closed; today's schedules are projected."""
        records = self.intake.records(store)
        now = self.clock.now()
        self._day = now.date().isoformat()
        with store.transaction():
            records.close_all(now.isoformat())
            touched = records.project_day(self._day)
        return None, touched

    async def _watch_day(self) -> None:
        while True:
            await asyncio.sleep(_DAY_WATCH_S)
            try:
                await self._bridge.on_hub(self._new_day)
            except Exception as exc:  # noqa: BLE001 - tried again at the next watch
                log.error("ehr day watch failed: %s", type(exc).__name__)

    def _new_day(self, store: HubStore) -> tuple[None, set[str]]:
        now = self.clock.now()
        today = now.date().isoformat()
        if today == self._day:
            return None, set()
        records = self.intake.records(store)
        with store.transaction():
            touched = records.project_day(today)
            records.purge((now - timedelta(days=self.settings.keep_days)).isoformat())
        self._day = today
        log.info("ehr day projected", extra={"date": today, "providers": len(touched)})
        return None, touched

    def _on_hub_event(self, kind: str, _msg: Message) -> None:
        """Hub thread: a check-in may be an arrival to send; wake the sender."""
        loop = self._loop
        if kind != "checkin" or loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self.arrivals.wake.set)


class Interfaces:
    """What ``kiosk hub run`` starts for the practice system: the MLLP interface and/or
    the FHIR poller, with their watchdog checks; ``stop()`` stops them."""

    def __init__(self, settings: Settings, hub: HubService) -> None:
        self.checks: dict[str, Callable[[], bool]] = {}
        self.started: list[EhrService | Any] = []
        self.lines: list[str] = []
        try:
            if settings.hub.ehr.enabled:
                ehr = EhrService(settings, hub, hub.clock)
                ehr.start()
                self.started.append(ehr)
                self.checks["ehr listener"] = ehr.running
                self.lines.append(f"ehr: MLLP on {settings.hub.ehr.host}:{ehr.port}")
            if settings.hub.fhir.enabled:
                from hub.ehr.fhir import FhirPoller  # fhirclient is loaded only when asked for

                poller = FhirPoller(settings, hub)
                poller.start()
                self.started.append(poller)
                self.checks["fhir poller"] = poller.running
                self.lines.append(
                    f"fhir: polling {settings.hub.fhir.url} every {settings.hub.fhir.poll_s:g} s"
                )
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for part in reversed(self.started):
            part.stop()
        self.started = []


def start_interfaces(settings: Settings, hub: HubService) -> Interfaces:
    return Interfaces(settings, hub)
