"""``Flow`` in QML: the check-in flow's current view as properties, its actions as slots.

A thin adapter. The only state it keeps of its own is the entry being typed on a keypad
(cleared on every screen change, so the idle reset wipes it with the rest) and whether the
attract screen is dimmed.
"""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal, Slot

from domain.flow import CheckInFlow, FlowView, Screen
from ui.qt_signals import emit

# Confirmation codes never use I, O, 0 or 1 (they read alike on a printed slip).
CODE_KEYS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_LIMITS = {Screen.DOB: 8, Screen.LETTERS: 3, Screen.CODE: 8}
_MIN_TO_SUBMIT = {Screen.DOB: 8, Screen.LETTERS: 1, Screen.CODE: 4}


def _accepts(screen: Screen, key: str) -> bool:
    if screen == Screen.DOB:
        return key.isdigit()
    if screen == Screen.LETTERS:
        return "A" <= key <= "Z"
    return screen == Screen.CODE and key in CODE_KEYS


class FlowModel(QObject):
    changed = Signal()
    adminRequested = Signal()
    languageSwitched = Signal(str)
    dimChanged = Signal(bool)  # the idle board dims (the backlight follows: ui/backlight.py)
    keypadKey = Signal(str)  # up/down/select/back from the I/O board's keypad (Main.qml moves the focus)

    def __init__(
        self,
        flow: CheckInFlow,
        *,
        dim_after_s: float = 120.0,
        practice_name: str = "",
        px_per_mm: float = 0.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._flow = flow
        self._view = flow.view
        self._entry = ""
        self._dimmed = False
        self._dim_after_s = dim_after_s
        self._practice = practice_name
        self._px_per_mm = px_per_mm
        flow.add_listener(self._on_view)

    @property
    def flow(self) -> CheckInFlow:
        return self._flow

    def _on_view(self, view: FlowView) -> None:
        old = self._view
        self._view = view
        if view.screen != old.screen:
            self._entry = ""
        undimmed = self._dimmed and view.screen != Screen.ATTRACT
        if undimmed:
            self._dimmed = False
        emit(self.changed)
        if undimmed:
            emit(self.dimChanged, False)
        if view.language != old.language:
            emit(self.languageSwitched, view.language)

    # --- what the screens show ----------------------------------------------------------

    def _patient_field(self, name: str) -> str:
        patient = self._view.patient
        return "" if patient is None else str(getattr(patient, name))

    screen = Property(str, lambda self: self._view.screen.value, notify=changed)
    method = Property(str, lambda self: self._view.method, notify=changed)
    entry = Property(str, lambda self: self._entry, notify=changed)
    canSubmit = Property(
        bool, lambda self: len(self._entry) >= _MIN_TO_SUBMIT.get(self._view.screen, 1), notify=changed
    )
    firstName = Property(str, lambda self: self._patient_field("first_name"), notify=changed)
    lastInitial = Property(str, lambda self: self._patient_field("last_initial"), notify=changed)
    apptTime = Property(str, lambda self: self._patient_field("time"), notify=changed)
    providerName = Property(str, lambda self: self._patient_field("provider_name"), notify=changed)
    outcomeKind = Property(
        str, lambda self: self._view.outcome.kind if self._view.outcome else "", notify=changed
    )
    delayMin = Property(
        int, lambda self: self._view.outcome.delay_min if self._view.outcome else 0, notify=changed
    )
    waitMin = Property(int, lambda self: FlowModel._wait(self._view), notify=changed)
    estimatedTime = Property(str, lambda self: FlowModel._estimated(self._view), notify=changed)
    options = Property(
        "QVariantList",  # type: ignore[arg-type]
        lambda self: list(self._view.outcome.options) if self._view.outcome else [],
        notify=changed,
    )
    alternativeName = Property(str, lambda self: self._view.alternative_name, notify=changed)
    message = Property(str, lambda self: self._view.message, notify=changed)
    opensAt = Property(str, lambda self: self._view.opens_at, notify=changed)
    choice = Property(str, lambda self: self._view.choice, notify=changed)
    queued = Property(bool, lambda self: self._view.queued, notify=changed)
    ticket = Property(str, lambda self: self._view.ticket, notify=changed)
    caption = Property(str, lambda self: self._view.caption, notify=changed)
    stale = Property(bool, lambda self: self._view.stale, notify=changed)
    ageMin = Property(int, lambda self: self._view.age_min, notify=changed)
    countdown = Property(int, lambda self: self._view.countdown, notify=changed)
    staffCalled = Property(bool, lambda self: self._view.staff_called, notify=changed)
    language = Property(str, lambda self: self._view.language, notify=changed)
    largeText = Property(bool, lambda self: self._view.large_text, notify=changed)
    dimmed = Property(bool, lambda self: self._dimmed, notify=changed)
    practiceName = Property(str, lambda self: self._practice, notify=changed)
    pxPerMm = Property(float, lambda self: self._px_per_mm, notify=changed)
    codeKeys = Property(str, lambda self: CODE_KEYS, constant=True)

    @staticmethod
    def _wait(view: FlowView) -> int:
        outcome = view.outcome
        return -1 if outcome is None or outcome.wait_min is None or view.stale else outcome.wait_min

    @staticmethod
    def _estimated(view: FlowView) -> str:
        outcome = view.outcome
        if outcome is None or outcome.estimated is None or view.stale:
            return ""
        return outcome.estimated.strftime("%H:%M")

    # --- what a patient does ------------------------------------------------------------

    @Slot()
    def wake(self) -> None:
        self._flow.wake()

    @Slot(str)
    def start(self, method: str) -> None:
        self._flow.start(method)

    @Slot(str)
    def press(self, key: str) -> None:
        screen = self._view.screen
        key = key.upper()
        if _accepts(screen, key) and len(self._entry) < _LIMITS.get(screen, 0):
            self._entry += key
        self._flow.touch()
        emit(self.changed)

    @Slot()
    def erase(self) -> None:
        self._entry = self._entry[:-1]
        self._flow.touch()
        emit(self.changed)

    @Slot()
    def submit(self) -> None:
        screen, entry = self._view.screen, self._entry
        if len(entry) < _MIN_TO_SUBMIT.get(screen, 1):
            return
        if screen == Screen.DOB:
            self._flow.enter_dob(entry)
        elif screen == Screen.LETTERS:
            self._flow.enter_letters(entry)
        elif screen == Screen.CODE:
            self._flow.enter_code(entry)

    @Slot(bool)
    def confirm(self, yes: bool) -> None:
        self._flow.confirm(yes)

    @Slot(str)
    def choose(self, option: str) -> None:
        self._flow.choose(option)

    @Slot()
    def callStaff(self) -> None:
        self._flow.call_staff()

    @Slot()
    def back(self) -> None:
        self._flow.back()

    @Slot()
    def finish(self) -> None:
        self._flow.finish()

    @Slot(str)
    def setLanguage(self, language: str) -> None:
        self._flow.set_language(language)

    @Slot()
    def toggleLargeText(self) -> None:
        self._flow.set_large_text(not self._view.large_text)

    @Slot(int)
    def changeVolume(self, steps: int) -> None:
        """A volume key: the voice louder (+1) or softer (-1) for this patient."""
        self._flow.change_volume(steps)

    def key(self, name: str) -> None:
        """A keypad key for the screen (on the Qt thread): ``kiosk.devices.route_key`` has
        already counted it as a touch and handled volume, help and repeat."""
        if self._dimmed:
            self.touch()  # the board wakes from its dimmed look, as at a tap
        emit(self.keypadKey, name)

    @Slot()
    def touch(self) -> None:
        self._flow.touch()
        if self._dimmed:
            self._dimmed = False
            emit(self.changed)
            emit(self.dimChanged, False)

    def set_px_per_mm(self, px_per_mm: float) -> None:
        """The panel's density (``ui.panel``): every size in ``Theme`` is millimetres on it."""
        if px_per_mm != self._px_per_mm:
            self._px_per_mm = px_per_mm
            emit(self.changed)

    @Slot()
    def requestAdmin(self) -> None:
        """The hidden staff entry (a long press in the top-left corner)."""
        emit(self.adminRequested)

    # --- time (the shell's 1 s timer) ---------------------------------------------------

    @Slot()
    def tick(self) -> None:
        self._flow.tick()
        dim = self._view.screen == Screen.ATTRACT and self._flow.idle_s() >= self._dim_after_s
        if dim != self._dimmed:
            self._dimmed = dim
            emit(self.changed)
            emit(self.dimChanged, dim)
