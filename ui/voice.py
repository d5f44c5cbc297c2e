"""Voice check-in in the running kiosk: the dialog on its own thread, the flow on Qt's.

``start_voice`` builds the recognizer, microphone and speaker from ``[speech]`` and a
``VoiceDialog`` whose flow actions are posted to the Qt thread through a queued signal.
Everything spoken is shown as a caption (``flow.show_caption``, on the Qt thread too).
Voice is optional: a missing model, microphone or speaker is logged, reported in device
health and leaves touch check-in working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

from config.settings import Settings
from core.clock import Clock
from core.errors import KioskError
from domain.flow import CheckInFlow
from sync.kiosk_sync import KioskSync, SyncChange
from ui.qt_signals import emit

if TYPE_CHECKING:
    from speech.dialog import VoiceDialog
    from speech.listener import AudioSource
    from speech.tts import AudioSink

log = logging.getLogger(__name__)


class QtPoster(QObject):
    """``post(fn)`` from any thread; ``fn()`` runs on this object's (the Qt) thread."""

    _call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, fn: Callable[[], None]) -> None:
        emit(self._call, fn)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


def start_voice(
    settings: Settings,
    flow: CheckInFlow,
    sync: KioskSync,
    clock: Clock,
    stack: ExitStack,
    *,
    source: AudioSource | None = None,
    sink: AudioSink | None = None,
) -> tuple[VoiceDialog | None, str]:
    """Start the voice dialog; returns (dialog or None, why voice is off)."""
    if not settings.speech.enabled:
        return None, "disabled in [speech]"
    try:
        from speech.dialog import VoiceDialog, schedule_vocabulary
        from speech.listener import Listener
        from speech.microphone import MicSource
        from speech.wiring import (
            half_duplex_from_settings,
            listen_config_from_settings,
            recognizer_from_settings,
            speaker_from_settings,
        )

        poster = QtPoster()
        stack.callback(poster.deleteLater)
        half_duplex = half_duplex_from_settings(settings.speech, clock)
        speaker = speaker_from_settings(
            settings.speech,
            half_duplex,
            lambda text: poster.post(lambda: flow.show_caption(text)),
            sink,
        )
        stack.callback(speaker.close)
        listener = Listener(
            recognizer_from_settings(settings.speech),
            half_duplex,
            listen_config_from_settings(settings.speech),
        )
        mic: AudioSource = source or MicSource(device=settings.speech.input_device or None)
        dialog = VoiceDialog(
            flow,
            poster.post,
            listener,
            mic,
            speaker,
            clock,
            vocabulary=lambda: sync.call(lambda cache: schedule_vocabulary(cache, clock.now().date())),
            max_misses=settings.speech.max_misses,
        )
    except (KioskError, ImportError, OSError) as exc:
        log.warning("voice check-in is off: %s", exc)
        return None, str(exc)

    def on_sync(change: SyncChange) -> None:
        if change.kind in ("schedule", "appointment"):
            dialog.schedule_changed()

    flow.add_listener(dialog.on_view)
    sync.add_listener(on_sync)
    dialog.start()
    stack.callback(dialog.stop)
    return dialog, ""
