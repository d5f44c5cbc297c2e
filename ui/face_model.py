"""``Face`` in QML: the receptionist's state, mouth and microphone levels, the greeting
and the time, over ``ui.face``. A thin adapter: the flow's view and the voice's levels
in, properties out."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from core.clock import Clock
from domain.flow import CheckInFlow, FlowView
from ui.face import QUIET, VoiceActivity, VoiceLevels, face_state
from ui.face import greeting as greeting_for
from ui.qt_signals import emit

VOICE_POLL_MS = 40
"""How often the mouth and the microphone meter follow the audio (25 frames a second)."""


class FaceModel(QObject):
    changed = Signal()
    levelsChanged = Signal()

    def __init__(
        self,
        flow: CheckInFlow,
        clock: Clock,
        *,
        voice: VoiceActivity | None = None,
        reduce_motion: bool = False,
        poll_ms: int = VOICE_POLL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._view = flow.view
        self._voice = voice
        self._levels = QUIET
        self._reduce_motion = reduce_motion
        self._state = face_state(self._view, self._levels)
        self._greeting, self._time = self._read_clock()
        flow.add_listener(self._on_view)
        self._poll = QTimer(self)
        self._poll.timeout.connect(self.poll)
        if voice is not None and poll_ms:
            self._poll.start(poll_ms)

    def _on_view(self, view: FlowView) -> None:
        language_changed = view.language != self._view.language
        self._view = view
        self._update_state()
        if language_changed:
            self.tick()

    def _read_clock(self) -> tuple[str, str]:
        now = self._clock.now()
        return greeting_for(now.hour, self._view.language), now.strftime("%H:%M")

    def _update_state(self) -> None:
        state = face_state(self._view, self._levels)
        if state != self._state:
            self._state = state
            emit(self.changed)

    @Slot()
    def tick(self) -> None:
        """The 1 s tick: the time and the greeting follow the clock."""
        read = self._read_clock()
        if read != (self._greeting, self._time):
            self._greeting, self._time = read
            emit(self.changed)

    @Slot()
    def poll(self) -> None:
        self.set_levels(VoiceLevels.read(self._voice))

    def set_levels(self, levels: VoiceLevels) -> None:
        """A reading of the voice (the poll timer's, or a scene's or test's by hand)."""
        if levels == self._levels:
            return
        self._levels = levels
        emit(self.levelsChanged)
        self._update_state()

    state = Property(str, lambda self: self._state.value, notify=changed)
    greeting = Property(str, lambda self: self._greeting, notify=changed)
    time = Property(str, lambda self: self._time, notify=changed)
    reduceMotion = Property(bool, lambda self: self._reduce_motion, constant=True)
    micLevel = Property(float, lambda self: self._levels.mic_level, notify=levelsChanged)
    mouthOpen = Property(
        float,
        lambda self: self._levels.speech_level if self._levels.speaking else 0.0,
        notify=levelsChanged,
    )


__all__ = ["FaceModel"]
