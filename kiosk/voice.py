"""The voice part of a kiosk: recognizer, microphone, speaker and the ``VoiceDialog``.

Qt-free. The dialog runs on its own thread; its flow actions and every caption reach the
flow through the app's poster (on the flow's thread). Voice is optional: a missing model,
microphone or speaker raises here, which the assembly reports in health and device
health, and touch check-in goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from config.settings import Settings
from core.clock import Clock
from core.errors import SpeechError
from domain.flow import CheckInFlow

if TYPE_CHECKING:
    from speech.dialog import Vocabulary, VoiceDialog
    from speech.listener import AudioSource
    from speech.tts import AudioSink, Speaker
    from sync.cache import KioskCache

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]


class CacheCaller(Protocol):
    """What voice needs of ``KioskSync``: a read on the sync loop's cache."""

    def call(self, fn: Callable[[KioskCache], Vocabulary], timeout: float = ...) -> Vocabulary: ...


class Voice:
    """A built voice dialog with its speaker: ``start()``, ``stop()``, told of schedule changes."""

    def __init__(self, dialog: VoiceDialog, speaker: Speaker) -> None:
        self.dialog = dialog
        self._speaker = speaker

    def start(self) -> None:
        self.dialog.start()

    def stop(self) -> None:
        try:
            self.dialog.stop()
        finally:
            self._speaker.close()

    def schedule_changed(self) -> None:
        self.dialog.schedule_changed()


def build_voice(
    settings: Settings,
    flow: CheckInFlow,
    post: Post,
    sync: CacheCaller,
    clock: Clock,
    *,
    source: AudioSource | None = None,
    sink: AudioSink | None = None,
) -> Voice:
    """Build (not start) voice from ``[speech]``; raises ``SpeechError`` when it cannot run."""
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
    except ImportError as exc:
        raise SpeechError(f"speech packages are not installed ({exc.name})") from exc
    half_duplex = half_duplex_from_settings(settings.speech, clock)
    speaker = speaker_from_settings(
        settings.speech,
        half_duplex,
        lambda text: post(partial(flow.show_caption, text)),
        sink,
    )
    try:
        listener = Listener(
            recognizer_from_settings(settings.speech),
            half_duplex,
            listen_config_from_settings(settings.speech),
        )
        mic: AudioSource = source or MicSource(device=settings.speech.input_device or None)
        dialog = VoiceDialog(
            flow,
            post,
            listener,
            mic,
            speaker,
            clock,
            vocabulary=lambda: sync.call(lambda cache: schedule_vocabulary(cache, clock.now().date())),
            max_misses=settings.speech.max_misses,
        )
    except BaseException:
        speaker.close()
        raise
    flow.add_listener(dialog.on_view)
    return Voice(dialog, speaker)


__all__ = ["Voice", "build_voice"]
