"""``KioskApp``: one kiosk unit, built and started in one place, Qt-free.

storage → sync → devices → tickets → flow → voice → admin start in that order and stop in
reverse (``kiosk.parts.Lifecycle``: each part's fault contained and reported). The flow
and its cache connection belong to one thread, the *flow thread*, reached through the
``Poster`` the frontend passes: the touch UI's marshals onto the Qt thread, the headless
kiosk's is a ``core.worker.Worker``. Device events, sync changes, printed tickets and
voice actions all reach the flow through it; frontends (the touch UI, the headless board,
the demo) are handed the built app.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar

from config.settings import Settings
from core.clock import Clock
from core.errors import KioskError, SyncError
from core.systemd import Heartbeat, LivenessCheck
from core.worker import Worker
from domain.admin import AdminSession
from domain.admin_backend import AdminBackend, LogTail, SyncStatus
from domain.flow import CheckInFlow
from hardware import Devices, LedMode
from hardware.events import DeviceEvent
from hardware.ticket import preload as preload_ticket_renderer
from kiosk.coldstart import VOICE_READY, ColdStart
from kiosk.devices import KeypadFocus, TicketPrinting, device_states, flow_settings, route_device_event
from kiosk.enrollment import EnrollmentGuard
from kiosk.parts import Lifecycle, Part, PartHealth
from sync import messages as m
from sync import staff_messages as sm
from sync.cache import KioskCache, Provider
from sync.kiosk_sync import KioskSync, SyncChange, cache_age_from_meta
from sync.vault import cache_key_source

if TYPE_CHECKING:
    from kiosk.devices import StaffEntry
    from kiosk.voice import Voice
    from speech.listener import AudioSource
    from speech.tts import AudioSink

log = logging.getLogger(__name__)
T = TypeVar("T")
ChangeListener = Callable[[SyncChange], None]
Board = tuple[list[Provider], dict[str, m.ProviderStatus]]
OutboxMessage = m.CheckIn | m.StatusChangeRequest | sm.StaffEvent | sm.NoticeAck  # what ``submit`` takes


class Poster(Protocol):
    """How work reaches the flow thread: ``post`` from any thread (fire and forget);
    ``call`` runs ``fn`` there and returns its result (directly when already there)."""

    def post(self, fn: Callable[[], object]) -> object: ...

    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T: ...


class WorkerPoster:
    """A poster backed by a ``Worker`` that owns the flow (headless, tests)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    def post(self, fn: Callable[[], object]) -> bool:
        return self.worker.post(fn)

    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        return self.worker.call(fn, timeout=timeout)


class NotStarted(KioskError):
    """A part of the app was used before it started (or after it failed to)."""


class KioskApp:
    """Build with settings, a clock and a poster; ``start()``; hand to a frontend; ``stop()``."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        poster: Poster,
        exit_app: Callable[[int], None] | None = None,
        voice_source: AudioSource | None = None,
        voice_sink: AudioSink | None = None,
        trace: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.poster = poster
        self.staff_entry: StaffEntry | None = None  # the touch UI's staff panel, for badges
        self.keypad_focus: KeypadFocus | None = None  # the touch UI's screen, for keypad keys
        self._exit_app = exit_app
        self._voice_io = (voice_source, voice_sink)
        self._listeners: list[ChangeListener] = []
        self._cache: KioskCache | None = None
        self._flow: CheckInFlow | None = None
        self._admin: AdminBackend | None = None
        self.voice: Voice | None = None
        self.voice_off = "disabled in [speech]" if not settings.speech.enabled else ""
        self._metrics: dict[str, float] = {}
        self.cold_start = ColdStart()  # process start → first frame, → voice ready
        self.heartbeat = Heartbeat(max_age_s=10, clock=time.monotonic)
        self.log_tail = LogTail()  # the technician view's log tail (ids only, never patient data)
        self.parts = Lifecycle(trace)
        # Registered before anything reads the cache: no change is lost between building
        # the app and a frontend's first read of the board.
        self.sync = KioskSync(settings, clock=clock)
        self.sync.add_listener(self._on_sync_change)
        self.enrollment = EnrollmentGuard(settings, self.sync, exit_app)
        self.sync.add_listener(self.enrollment.on_change)
        self.sync.set_health_sources(
            device_health=self._device_health, metrics=lambda: {**self._metrics, **self.cold_start.metrics()}
        )
        self.parts.add(Part("storage", self._open_storage, self._close_storage))
        self.parts.add(Part("sync", self.sync.start, self.sync.stop))
        self.devices = Devices(settings.devices, on_event=self._on_device_event, clock=clock)
        self.parts.add(Part("devices", self.devices.start, self.devices.stop))
        self.tickets = Worker("tickets", stall_s=30.0)  # one printer queue: no thread per ticket
        self.parts.add(Part("tickets", self._start_tickets, self.tickets.stop))
        self.parts.add(Part("flow", partial(self.poster.call, self._build_flow), self._stop_flow))
        if settings.speech.enabled:
            self.parts.add(Part("voice", self._start_voice, self._stop_voice))
        self.parts.add(Part("admin", partial(self.poster.call, self._build_admin), self._stop_admin))

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> list[str]:
        """Start every part; returns the names of parts that failed (also in ``health()``)."""
        return self.parts.start()

    def stop(self) -> list[str]:
        """Stop every part in reverse; returns the names of parts whose stop raised."""
        return self.parts.stop()

    def health(self) -> dict[str, PartHealth]:
        return self.parts.health()

    def liveness_checks(self) -> dict[str, LivenessCheck]:
        """For the watchdog: the flow thread's loop beats and the sync loop answers."""
        return {"main loop": self.heartbeat.alive, "sync": self.sync.alive}

    # --- what frontends use (on the flow thread) ---------------------------------------

    @property
    def flow(self) -> CheckInFlow:
        if self._flow is None:
            raise NotStarted("the check-in flow is not running")
        return self._flow

    @property
    def cache(self) -> KioskCache:
        if self._cache is None:
            raise NotStarted("the kiosk cache is not open")
        return self._cache

    @property
    def admin(self) -> AdminBackend | None:
        """The staff panel's backend; None when the admin part did not start."""
        return self._admin

    def add_listener(self, listener: ChangeListener) -> None:
        """Told of every sync change, on the flow thread (register before ``start``)."""
        self._listeners.append(listener)

    def attach_screen(self) -> None:
        """A screen reports what it drew (``report_displayed``); call before ``start``.
        Without one, the receipt is what the cache applied (``"screen": false``)."""
        self.sync.attach_screen()

    def report_displayed(self, versions: Mapping[str, int]) -> None:
        """From any thread (Qt's render thread): a frame showing ``versions`` was presented."""
        self.sync.report_displayed(dict(versions), screen=True)

    def mark_started(self, milestone: str) -> None:
        """From any thread: a cold-start milestone was reached (``kiosk.coldstart``)."""
        self.cold_start.mark(milestone)

    def board(self) -> Board:
        return self.cache.providers(), self.cache.statuses()

    def cache_age(self) -> float:
        """0 while live with the hub, else seconds since it last was (-1: never)."""
        return 0.0 if self.sync.is_live() else cache_age_from_meta(self.cache, self.clock)

    def beat(self) -> None:
        """The flow thread's loop turned (about once a second): the watchdog's main-loop
        check, and the flow's metrics for the health telemetry."""
        self.heartbeat.beat()
        if self._flow is not None:
            self._metrics = dict(self._flow.metrics.summary())
        if self._cache is not None and not self.enrollment.wiped:
            self.enrollment.check(self.cache_age())  # the enrollment lease

    def tick(self) -> None:
        """A frontend without a UI timer of its own (headless) ticks the flow here."""
        if self._flow is not None:
            self._flow.tick()
        self.beat()

    # --- the parts ------------------------------------------------------------------------

    def _open_storage(self) -> None:
        # Opened (and migrated) before sync starts, on the flow thread that owns it.
        key = cache_key_source(self.settings, self.sync.cache_path)
        self._cache = self.poster.call(lambda: KioskCache.open(self.sync.cache_path, key), timeout=30.0)

    def _close_storage(self) -> None:
        cache, self._cache = self._cache, None
        if cache is not None:
            self.poster.call(cache.close)

    def _build_flow(self) -> None:
        printer = None
        if self.settings.devices.printer_url:
            printer = TicketPrinting(
                self.devices, self.settings.ui.practice_name, self.clock, self.tickets, self._ticket_done
            )
        self._flow = CheckInFlow(
            self.cache,
            self._submit,
            self.clock,
            self.settings.kiosk.id,
            cache_age=self.cache_age,
            print_ticket=printer,
            on_call_staff=self._call_staff,
            settings=flow_settings(self.settings),
        )
        self.beat()

    def _stop_flow(self) -> None:
        flow = self._flow
        if flow is not None:
            self.poster.call(flow.reset)  # no patient data stays in memory

    def _start_tickets(self) -> None:
        self.tickets.start()
        if self.settings.devices.printer_url:
            self.tickets.post(preload_ticket_renderer)  # the first ticket then does not wait for it

    def _start_voice(self) -> None:
        from kiosk.voice import build_voice

        try:
            voice = build_voice(
                self.settings,
                self.flow,
                self._post,
                self.sync,
                self.clock,
                source=self._voice_io[0],
                sink=self._voice_io[1],
            )
            voice.start()
            self.cold_start.mark(VOICE_READY)
        except (KioskError, ImportError, OSError) as exc:
            self.voice_off = str(exc) or type(exc).__name__  # a device's or model's reason, no patient data
            log.warning("voice check-in is off: %s", self.voice_off)
            raise
        self.voice = voice

    def _stop_voice(self) -> None:
        voice, self.voice = self.voice, None
        if voice is not None:
            voice.stop()

    def _build_admin(self) -> None:
        logging.getLogger().addHandler(self.log_tail)
        self._admin = AdminBackend(
            AdminSession(self.settings.staff, self.settings.kiosk.id, self.clock, self._submit),
            self.clock,
            self.board,
            self.cache.appointments_for,
            idle_s=self.settings.staff.session_idle_s,
            sync_status=self._sync_status,
            device_health=self.devices.health_snapshot,
            log_lines=self.log_tail.lines,
            exit_app=self._exit_app,
        )

    def _stop_admin(self) -> None:
        logging.getLogger().removeHandler(self.log_tail)
        self._admin = None

    # --- other threads reach the flow through the poster ---------------------------------

    def _post(self, fn: Callable[[], None]) -> None:
        self.poster.post(fn)

    def _on_sync_change(self, change: SyncChange) -> None:
        """On the sync thread: handed to the flow thread, then to every listener."""
        if self.voice is not None and change.kind in ("schedule", "appointment"):
            self.voice.schedule_changed()
        self.poster.post(partial(self._deliver, change))

    def _deliver(self, change: SyncChange) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception as exc:  # noqa: BLE001 - one broken view must not starve the others
                log.error("sync change listener raised", extra={"error": type(exc).__name__})

    def _on_device_event(self, event: DeviceEvent) -> None:
        """On a device thread."""
        self.poster.post(
            lambda: route_device_event(self._flow, self.staff_entry, event, self.keypad_focus, self.voice)
        )

    def _ticket_done(self, ok: bool) -> None:
        """On the tickets worker."""
        self.poster.post(lambda: self._flow.ticket_done(ok) if self._flow is not None else None)

    def _submit(self, msg: OutboxMessage) -> bool:
        try:
            return self.sync.submit(msg)
        except TimeoutError as exc:  # the flow shows "error" for a KioskError, and goes on
            raise SyncError("the sync loop did not answer") from exc

    def _call_staff(self) -> None:
        log.warning("a patient called staff", extra={"kiosk": self.settings.kiosk.id})
        self.devices.set_led(LedMode.ATTENTION)

    def _sync_status(self) -> SyncStatus | None:
        """For the technician view: None when the sync loop does not answer."""
        try:
            health = self.sync.call(lambda _cache: self.sync.health(), timeout=1.0)
        except TimeoutError:
            return None
        return SyncStatus(health.connected, self.sync.is_live(), health.cache_age_s, health.outbox_depth)

    def _device_health(self) -> dict[str, m.DeviceState]:
        """On the sync thread, at each health tick: devices, voice and parts that failed."""
        states = device_states(self.devices)
        if self.settings.speech.enabled and self.voice is None and self.voice_off:
            states["voice"] = m.DeviceState("error", self.voice_off)
        for name, part in self.parts.health().items():
            if part.state == "failed" and name not in states:
                states[name] = m.DeviceState("error", f"failed to start: {part.error}")
        return states


__all__ = ["KioskApp", "NotStarted", "Poster", "WorkerPoster"]
