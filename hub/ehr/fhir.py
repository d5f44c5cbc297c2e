"""The practice system's FHIR R4 server, polled (fhirclient, on the "fhir" worker):
``Appointment?_lastUpdated=ge<watermark>&_sort=_lastUpdated&_count=N`` with the
appointments' Patient and Practitioner included, page after page (the Bundle's ``next``
links). Each appointment version goes through the same intake as an SIU message (stored
with its effect in one transaction, a version seen before changes nothing, ordered by
``meta.lastUpdated``), so kiosks get it the same way.

A kiosk check-in of a FHIR appointment is written back as ``Appointment.status =
arrived`` (read, then update), from the same outbox as MLLP arrivals; writing it twice
changes nothing, so a hub killed before it recorded the answer loses and doubles nothing.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import Counter
from concurrent.futures import Future
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import requests
from fhirclient.models.appointment import Appointment
from fhirclient.models.bundle import Bundle
from fhirclient.models.fhirabstractbase import FHIRValidationError
from fhirclient.models.fhirsearch import iter_pages
from fhirclient.server import FHIRServer

from config.settings import Settings
from core.clock import Clock
from core.errors import ConfigError, KioskError
from core.worker import Worker
from hub.ehr import fhir_map
from hub.ehr.intake import Frame, Intake
from hub.ehr.records import set_state, state
from hub.ehr.service import check_provider_ids, zone_of
from hub.service import HubService
from hub.store import HubStore
from sync.wire import Message

log = logging.getLogger(__name__)

_WATERMARK = "fhir_watermark"
_FAILURES = (requests.RequestException, FHIRValidationError, KioskError, ValueError, KeyError, TypeError)


class FhirPoller:
    def __init__(self, settings: Settings, hub: HubService, clock: Clock | None = None) -> None:
        fhir = settings.hub.fhir
        if not fhir.url.startswith(("http://", "https://")):
            raise ConfigError(f"hub.fhir.url = {fhir.url[:60]!r}: expected the server's http(s):// base URL")
        check_provider_ids("hub.fhir.providers", fhir.providers)
        self.settings = fhir
        self.hub = hub
        self.clock = clock or hub.clock
        self.zone = zone_of("hub.fhir.timezone", fhir.timezone)
        self.intake = Intake(fhir.providers, self.zone)
        self.stats: Counter[str] = Counter()
        self.last_error = ""
        self._server: FHIRServer | None = None
        self._watermark = ""  # the newest meta.lastUpdated taken, as the server wrote it
        self._watermark_at: datetime | None = None
        self._seen: set[str] = set()  # versions at the watermark instant, taken already
        self._worker = Worker("fhir", tick_s=fhir.poll_s, on_tick=self._tick, on_start=self._open)
        hub.add_listener(self._on_hub_event)

    def start(self) -> None:
        self._worker.start()
        if self._worker.start_error is not None:
            raise KioskError(f"hub.fhir: could not start ({type(self._worker.start_error).__name__})")

    def stop(self) -> None:
        self._worker.stop(self.settings.timeout_s + 5)

    def running(self) -> bool:
        return self._worker.running

    def poll_now(self) -> int:
        """One poll on the worker (tests, benchmarks): how many versions were new."""
        return int(self._worker.call(self.poll, timeout=self.settings.timeout_s * 10))

    # --- the worker -------------------------------------------------------------------

    def _open(self) -> None:
        server = FHIRServer(None, base_uri=self.settings.url)
        # fhirclient's session has no time-out of its own: a hung server must not hang the poll.
        server.session.request = functools.partial(server.session.request, timeout=self.settings.timeout_s)
        self._server = server
        self._watermark = str(self._on_hub(lambda store: (state(store.db, _WATERMARK), ())))
        self._watermark_at = _instant(self._watermark)

    def _tick(self) -> None:
        try:
            self.poll()
            self.send_arrivals()
            self.last_error = ""
        except _FAILURES as exc:
            self.stats["errors"] += 1
            self.last_error = type(exc).__name__
            if self.stats["errors"] == 1 or self.stats["errors"] % 50 == 0:
                log.warning(
                    "fhir poll failed: %s", type(exc).__name__, extra={"errors": self.stats["errors"]}
                )

    def poll(self) -> int:
        server = self._server_or_fail()
        query = [
            ("_lastUpdated", f"ge{self._watermark}") if self._watermark else ("_lastUpdated", "gt1900-01-01"),
            ("_sort", "_lastUpdated"),
            ("_count", str(self.settings.page_size)),
            ("_include", "Appointment:patient"),
            ("_include", "Appointment:practitioner"),
        ]
        frames: list[Frame] = []
        newest, newest_text = self._watermark_at, self._watermark
        at_newest: set[str] = set(self._seen)
        for page in iter_pages(Bundle.read_from("Appointment?" + urlencode(query), server), server):
            entries = [e for e in page.entry or [] if e.resource is not None]
            included = {
                f"{e.resource.resource_type}/{e.resource.id}": e.resource
                for e in entries
                if e.search is not None and e.search.mode == "include"
            }
            for entry in entries:
                if entry.resource.resource_type != "Appointment" or (
                    entry.search and entry.search.mode == "include"
                ):
                    continue
                frame = self._frame(entry.resource, included)
                if frame is None or frame.head is None:
                    continue
                frames.append(frame)
                updated = fhir_map.last_updated(entry.resource)
                if updated is not None and (newest is None or updated > newest):
                    newest, newest_text, at_newest = updated, entry.resource.meta.lastUpdated.isostring, set()
                if updated is not None and updated == newest:
                    at_newest.add(frame.head.control_id)
        if frames:
            self._take(frames, newest_text)
        self._watermark, self._watermark_at, self._seen = newest_text, newest, at_newest
        self.stats["polls"] += 1
        self.stats["versions"] += len(frames)
        return len(frames)

    def _frame(self, appointment: Any, included: dict[str, Any]) -> Frame | None:
        head = fhir_map.header(appointment)
        if head.control_id in self._seen:
            return None  # the last poll took it (the watermark is inclusive)
        verdict = fhir_map.event(appointment, head, included, self.zone, self.settings.default_duration_min)
        return Frame(json.dumps(appointment.as_json()), None, head, verdict)

    def _take(self, frames: list[Frame], watermark: str) -> None:
        def take(store: HubStore) -> tuple[None, set[str]]:
            _verdicts, touched = self.intake.take(store, frames, self.clock.now())
            with store.transaction():
                set_state(store.db, _WATERMARK, watermark)
            return None, touched

        self._on_hub(take)

    # --- arrivals ---------------------------------------------------------------------

    def send_arrivals(self) -> int:
        if not self.settings.arrivals:
            return 0
        server = self._server_or_fail()

        def pending(store: HubStore) -> tuple[list[Any], tuple[str, ...]]:
            records = self.intake.records(store)
            with store.transaction():
                records.enqueue_arrivals(self.clock.now().isoformat())
            return records.pending_arrivals("fhir"), ()

        sent = 0
        for arrival in self._on_hub(pending):
            code, error = self._arrive(server, arrival.echo)
            self._on_hub(self._attempt(arrival.appointment_id, code, error))
            sent += code == "AA"
        return sent

    def _attempt(self, appointment_id: str, code: str, error: str) -> Any:
        at = self.clock.now().isoformat()

        def record(store: HubStore) -> tuple[None, tuple[str, ...]]:
            with store.transaction():
                self.intake.records(store).arrival_attempt(appointment_id, code, error, at)
            return None, ()

        return record

    def _arrive(self, server: FHIRServer, appointment_id: str) -> tuple[str, str]:
        """Appointment.status = arrived, unless the server already says it is past that."""
        try:
            appointment = Appointment.read(appointment_id, server)
            if appointment.status not in fhir_map.ARRIVED_STATUSES:
                appointment.status = "arrived"
                appointment.update(server)
        except _FAILURES as exc:
            return "AE", type(exc).__name__
        return "AA", ""

    # --- plumbing ---------------------------------------------------------------------

    def _server_or_fail(self) -> FHIRServer:
        if self._server is None:
            raise KioskError("the FHIR poller is not running")
        return self._server

    def _on_hub(self, fn: Any) -> Any:
        """Run ``fn(store)`` on the hub worker (``HubService.submit``: it publishes the
        schedules ``fn`` changed) and wait for its result."""
        future: Future[Any] = Future()

        def done(result: Any, error: BaseException | None) -> None:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        if not self.hub.submit(fn, done):
            raise KioskError("the hub is not running")
        return future.result(timeout=30)

    def _on_hub_event(self, kind: str, _msg: Message) -> None:
        """Hub thread: a check-in may be an arrival to write back; do it now, not at the next poll."""
        if kind == "checkin" and self.settings.arrivals and self._worker.running:
            self._worker.post(self._arrivals_now)

    def _arrivals_now(self) -> None:
        try:
            self.send_arrivals()
        except _FAILURES as exc:
            self.stats["errors"] += 1
            self.last_error = type(exc).__name__


def _instant(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


__all__ = ["FhirPoller"]
