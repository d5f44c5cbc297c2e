"""The check-in flow: one state machine that touch and voice both drive.

attract → welcome → identify (date of birth [+ letters] | code | QR) → confirm →
outcome → done → attract; any step can end in a message that sends the patient to the
front desk, and "call staff" works everywhere. Qt-free and clock-injected: the shell
calls ``tick()`` and renders ``view`` (an immutable snapshot) after every change.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import cast

from core.clock import Clock
from core.errors import KioskError
from domain.estimate import decide_outcome, start_of
from domain.flow_view import VOLUME_RANGE, FlowSettings, FlowView, Patient, Screen, Source
from domain.lookup import Match, find_by_code, find_by_dob
from domain.metrics import FlowMetrics
from sync.messages import Appointment, CheckIn, CheckInMethod, CheckInOutcome

__all__ = [
    "VOLUME_RANGE",
    "CacheAge",
    "CheckInFlow",
    "FlowSettings",
    "FlowView",
    "Patient",
    "PrintTicket",
    "Screen",
    "Source",
    "Submit",
    "now_label",
]

_METHODS = ("dob", "code", "qr", "voice")


Submit = Callable[[CheckIn], bool]
PrintTicket = Callable[[Patient, FlowView], bool | None]  # None: printing, ``ticket_done`` follows
CacheAge = Callable[[], float]


class CheckInFlow:
    def __init__(
        self,
        source: Source,
        submit: Submit,
        clock: Clock,
        kiosk_id: str,
        *,
        cache_age: CacheAge = lambda: 0.0,
        print_ticket: PrintTicket | None = None,
        on_call_staff: Callable[[], None] | None = None,
        settings: FlowSettings | None = None,
    ) -> None:
        self._source = source
        self._submit = submit
        self._clock = clock
        self._kiosk_id = kiosk_id
        self._cache_age = cache_age
        self._print = print_ticket
        self._on_call_staff = on_call_staff
        self.settings = settings or FlowSettings()
        self.metrics = FlowMetrics()
        self._listeners: list[Callable[[FlowView], None]] = []
        self._appt: Appointment | None = None
        self._last_touch = clock.monotonic()
        self.view = FlowView(language=self.settings.language)

    def add_listener(self, listener: Callable[[FlowView], None]) -> None:
        self._listeners.append(listener)

    # --- patient actions (touch or voice) ---------------------------------------------

    def wake(self) -> None:
        """A touch on the attract screen, or presence in front of the kiosk."""
        self.touch()
        if self.view.screen == Screen.ATTRACT:
            self._go(Screen.WELCOME)

    def start(self, method: str = "dob") -> None:
        """Begin identifying: "dob" or "code" (a QR scan may arrive at any time)."""
        self.touch()
        self.metrics.started(self._clock.monotonic(), self._clock.now().date().isoformat())
        screen = Screen.CODE if method == "code" else Screen.DOB
        self._go(screen, method=method, digits="", letters="", code="", message="")

    def enter_dob(self, digits: str, method: str = "dob") -> None:
        """A birth date as ``MMDDYYYY``; ``method`` is "voice" when it was spoken."""
        self.touch()
        digits = "".join(ch for ch in digits if ch.isdigit())[:8]
        match = find_by_dob(self._source, digits)
        self._identified(match, method=method if method in ("dob", "voice") else "dob", digits=digits)

    def choose_first_name(self, name: str) -> None:
        """Voice's answer to several patients sharing a birth date: narrow them by the
        first name the patient says. Names are never listed; no match is "not_found"."""
        self.touch()
        if self.view.screen != Screen.LETTERS:
            return
        match = find_by_dob(self._source, self.view.digits)
        wanted = _fold(name)
        hits = [a for a in match.appointments if _fold(a.first_name) == wanted]
        if len(hits) > 1:
            self._message("ambiguous")
            return
        self._identified(Match(hits, match.exact), method=self.view.method or "dob")

    def enter_letters(self, letters: str) -> None:
        self.touch()
        letters = "".join(ch for ch in letters.upper() if ch.isalpha())[:3]
        match = find_by_dob(self._source, self.view.digits, letters)
        if len(match.appointments) > 1:
            self._message("ambiguous")
            return
        self._identified(match, method="dob", letters=letters)

    def enter_code(self, code: str, method: CheckInMethod = "code") -> None:
        self.touch()
        if self.view.screen == Screen.ATTRACT:
            self.metrics.started(self._clock.monotonic(), self._clock.now().date().isoformat())
        self._identified(find_by_code(self._source, code), method=method, code=code.upper()[:16])

    def scan_qr(self, text: str) -> None:
        """A confirmation code decoded from a QR code, accepted on any screen before confirm."""
        if self.view.screen in (Screen.CONFIRM, Screen.OUTCOME, Screen.DONE):
            return
        self.enter_code(text.strip().rsplit("/", 1)[-1], method="qr")

    def heard_voice(self) -> None:
        """The voice dialog acted on something the patient said (counted per session, so a
        session that began by voice and ended on the screen shows as a voice→touch fallback)."""
        self.metrics.heard_voice()

    def confirm(self, yes: bool) -> None:
        self.touch()
        if self.view.screen != Screen.CONFIRM or self._appt is None:
            return
        if not yes:
            self.metrics.error("declined")
            self._appt = None
            self._message("declined")
            return
        self._show_outcome(self._appt)

    def choose(self, option: str) -> None:
        """Pick one of the outcome's options; the check-in (or request) goes to the outbox."""
        self.touch()
        outcome = self.view.outcome
        if self.view.screen != Screen.OUTCOME or outcome is None or option not in outcome.options:
            return
        if self._appt is None:  # the outcome belongs to a patient the flow has let go of
            return
        self._queue(self._appt, option)  # type: ignore[arg-type]

    def call_staff(self) -> None:
        self.touch()
        self.metrics.staff_called()
        if self._on_call_staff is not None:
            self._on_call_staff()
        self._update(staff_called=True)

    def back(self) -> None:
        self.touch()
        previous = {
            Screen.LETTERS: Screen.DOB,
            Screen.DOB: Screen.WELCOME,
            Screen.CODE: Screen.WELCOME,
            Screen.CONFIRM: Screen.WELCOME,
            Screen.MESSAGE: Screen.WELCOME,
        }
        target = previous.get(self.view.screen)
        if target is not None:
            self._appt = None
            self._go(target, digits="", letters="", code="", patient=None, message="")

    def finish(self) -> None:
        """The patient taps "done" (or the done screen lingers out)."""
        self.reset()

    def set_language(self, language: str) -> None:
        self.touch()
        if language in ("en", "es"):
            self._update(language=language)

    def set_large_text(self, on: bool) -> None:
        self.touch()
        self._update(large_text=on)

    def change_volume(self, steps: int) -> None:
        """The voice louder (+1) or softer (-1), by voice or by key, for this patient only:
        bounded by ``VOLUME_RANGE``; the reset to attract forgets it with the rest."""
        self.touch()
        low, high = VOLUME_RANGE
        level = max(low, min(high, self.view.volume + steps))
        if level != self.view.volume:
            self._update(volume=level)

    def show_caption(self, text: str) -> None:
        """Everything the kiosk says is also shown; the idle reset wipes it with the rest."""
        self._update(caption=text)

    def ticket_done(self, ok: bool) -> None:
        """A ticket that was printing in the background finished (or failed)."""
        if self.view.ticket == "printing":
            self._update(ticket="printed" if ok else "failed")

    def idle_s(self) -> float:
        """Seconds since the last touch (the shell dims the attract screen on it)."""
        return self._clock.monotonic() - self._last_touch

    def touch(self) -> None:
        self._last_touch = self._clock.monotonic()
        if self.view.countdown:
            self._update(countdown=0)

    # --- time ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Called about once a second by the shell: idle countdown and reset, freshness."""
        idle = self._clock.monotonic() - self._last_touch
        screen = self.view.screen
        if screen == Screen.ATTRACT:
            self._refresh_staleness()
            return
        limit = self.settings.done_linger_s if screen == Screen.DONE else self.settings.idle_timeout_s
        if idle >= limit + self.settings.countdown_s:
            self.reset(abandoned=screen not in (Screen.DONE,))
        elif idle >= limit and screen != Screen.DONE:
            left = int(limit + self.settings.countdown_s - idle + 0.999)
            if left != self.view.countdown:
                self._update(countdown=left)

    def reset(self, abandoned: bool = False) -> None:
        """Back to attract; every patient field leaves the screen and memory."""
        if abandoned:
            self.metrics.abandoned(self._clock.monotonic(), self.view.screen.value)
        self._appt = None
        keep_language = self.view.language if not abandoned else self.settings.language
        self.view = FlowView(language=keep_language)
        self._refresh_staleness(force=True)

    # --- internals ----------------------------------------------------------------------

    def _identified(self, match: Match, method: str, **fields: str) -> None:
        if method == "voice":
            self.metrics.heard_voice()
        found = match.appointments
        if not found:
            self.metrics.error("not_found")
            self._message("not_found", method=method, **fields)
            return
        if len(found) > 1:
            self._go(Screen.LETTERS, method=method, **fields)
            return
        appt = found[0]
        now = self._clock.now()
        verdict = self.settings.window.check(start_of(appt), now)
        if appt.state == "checked_in":
            self._message("already_checked_in", method=method, **fields)
        elif appt.state == "cancelled":
            self._message("not_found", method=method, **fields)
        elif start_of(appt).date() != now.date():
            self._message("not_today", method=method, **fields)
        elif verdict != "ok":
            opens = self.settings.window.opens_at(start_of(appt)).strftime("%H:%M")
            self.metrics.error(verdict)
            self._message(verdict, method=method, opens_at=opens, **fields)
        else:
            self._appt = appt
            self._go(Screen.CONFIRM, method=method, patient=self._patient(appt), message="", **fields)

    def _patient(self, appt: Appointment) -> Patient:
        provider = self._source.provider(appt.provider_id)
        return Patient(
            appt.first_name,
            appt.last_prefix[:1],
            appt.start[11:16],
            provider.name if provider else appt.provider_id,
        )

    def _show_outcome(self, appt: Appointment) -> None:
        stale, age_min = self._staleness()
        outcome = decide_outcome(
            appt,
            self._source.status(appt.provider_id),
            self._source.appointments_for(appt.provider_id),
            self._clock.now(),
            stale,
        )
        alternative = ""
        if outcome.alternative_provider_id:
            provider = self._source.provider(outcome.alternative_provider_id)
            alternative = provider.name if provider else ""
        self._go(Screen.OUTCOME, outcome=outcome, alternative_name=alternative, stale=stale, age_min=age_min)
        if outcome.options == ("checked_in",):
            self._queue(appt, "checked_in")

    def _queue(self, appt: Appointment, choice: CheckInOutcome) -> None:
        method = cast(CheckInMethod, self.view.method if self.view.method in _METHODS else "dob")
        msg = CheckIn(
            uuid.uuid4().hex,
            self._kiosk_id,
            appt.id,
            appt.provider_id,
            self._clock.now().isoformat(timespec="seconds"),
            method,
            choice,
        )
        try:
            self._submit(msg)
        except KioskError:
            self.metrics.error("storage")
            self._message("error")
            return
        ticket = ""
        if self._print is not None and self.view.patient is not None:
            printed = self._print(self.view.patient, replace(self.view, choice=choice))
            ticket = "printing" if printed is None else "printed" if printed else "failed"
        self.metrics.completed(self._clock.monotonic(), self.view.method, choice)
        screen = Screen.DONE if choice != "checked_in" else Screen.OUTCOME
        self._go(screen, choice=choice, queued=True, ticket=ticket)

    def _message(self, kind: str, **fields: str) -> None:
        self._go(Screen.MESSAGE, message=kind, **fields)

    def _staleness(self) -> tuple[bool, int]:
        age = self._cache_age()
        stale = age < 0 or age > self.settings.stale_after_s
        return stale, max(0, int(age // 60))

    def _refresh_staleness(self, force: bool = False) -> None:
        stale, age_min = self._staleness()
        if force or (stale, age_min) != (self.view.stale, self.view.age_min):
            self._update(stale=stale, age_min=age_min)

    def _go(self, screen: Screen, **fields: object) -> None:
        self._update(screen=screen, countdown=0, **fields)

    def _update(self, **fields: object) -> None:
        self.view = replace(self.view, **fields)  # type: ignore[arg-type]
        for listener in list(self._listeners):
            listener(self.view)


def _fold(name: str) -> str:
    """A first name compared as spoken: case, accents and punctuation ignored."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in plain if c.isalnum())


def now_label(when: datetime | None) -> str:
    return when.strftime("%H:%M") if when else ""
