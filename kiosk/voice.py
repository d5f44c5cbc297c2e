"""The voice part of a kiosk: recognizer, microphone, speaker and the ``VoiceDialog``.

Qt-free. The dialog runs on its own thread; its flow actions and every caption reach the
flow through the app's poster (on the flow's thread). ``Voice`` is also what the face
reads (``ui.face.VoiceActivity``): a ``speech.activity.VoiceMeter`` told by the
microphone, the recognizer and the speaker. Voice is optional: a missing model,
microphone or speaker raises here, which the assembly reports in health and device
health, and touch check-in goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar

from config.settings import Settings
from core.clock import Clock
from core.errors import SpeechError
from domain.flow import CheckInFlow

if TYPE_CHECKING:
    from speech.activity import VoiceMeter
    from speech.dialog import VoiceDialog
    from speech.listener import AudioSource
    from speech.tts import AudioSink, Speaker
    from sync.cache import KioskCache

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]
T = TypeVar("T")


class CacheCaller(Protocol):
    """What voice needs of ``KioskSync``: a read on the sync loop's cache."""

    def call(self, fn: Callable[[KioskCache], T], timeout: float = ...) -> T: ...


class Voice:
    """A built voice dialog with its speaker: ``start()``, ``stop()``, told of schedule
    changes; read by the face (listening, thinking, speaking and their levels, lock-free)."""

    def __init__(
        self,
        dialog: VoiceDialog,
        speaker: Speaker,
        meter: VoiceMeter,
        day_sentences: Callable[[], list[tuple[str, str]]] = list,
    ) -> None:
        self.dialog = dialog
        self.meter = meter
        self._speaker = speaker
        self._day_sentences = day_sentences

    @property
    def listening(self) -> bool:
        return self.meter.listening

    @property
    def thinking(self) -> bool:
        return self.meter.thinking

    @property
    def speaking(self) -> bool:
        return self.meter.speaking

    @property
    def mic_level(self) -> float:
        return self.meter.mic_level

    @property
    def speech_level(self) -> float:
        return self.meter.speech_level

    def start(self) -> None:
        self.dialog.start()
        self._speaker.prerender_from(self._day_sentences)

    def stop(self) -> None:
        try:
            self.dialog.stop()
        finally:
            self._speaker.close()

    def speak_help(self) -> None:
        """The keypad's HELP (called on the flow thread; the speaker queues the words)."""
        self.dialog.speak_help()

    def speak_again(self) -> None:
        """The keypad's REPEAT."""
        self.dialog.speak_again()

    def schedule_changed(self) -> None:
        """The day's schedule changed (or a new day arrived): re-read names, and render the
        sentences that name today's patients and providers before anyone walks up."""
        self.dialog.schedule_changed()
        self._speaker.prerender_from(self._day_sentences)


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
        from speech.activity import MeteredRecognizer, MeteredSource, VoiceMeter
        from speech.attract import AttractInvites
        from speech.dialog import VoiceDialog, schedule_vocabulary
        from speech.listener import Listener
        from speech.microphone import MicSource, SoundDeviceSink, require_sound_device
        from speech.volume import VolumeSink
        from speech.wiring import (
            half_duplex_from_settings,
            listen_config_from_settings,
            recognizer_from_settings,
            speaker_from_settings,
        )
    except ImportError as exc:
        raise SpeechError(f"speech packages are not installed ({exc.name})") from exc
    if source is None:
        require_sound_device("input", settings.speech.input_device or None)
    if sink is None:
        require_sound_device("output", settings.speech.output_device or None)
        sink = _private_listening(settings, SoundDeviceSink(settings.speech.output_device or None))
    volume = VolumeSink(sink)  # the patient's "louder" / "softer" (FlowView.volume)
    half_duplex = half_duplex_from_settings(settings.speech, clock)
    meter = VoiceMeter(clock)
    speaker = speaker_from_settings(
        settings.speech,
        half_duplex,
        lambda text: post(partial(flow.show_caption, text)),
        volume,
        meter,
    )
    try:
        listener = Listener(
            MeteredRecognizer(recognizer_from_settings(settings.speech), meter),
            half_duplex,
            listen_config_from_settings(settings.speech),
        )
        mic: AudioSource = MeteredSource(
            source or MicSource(device=settings.speech.input_device or None), meter
        )
        dialog = VoiceDialog(
            flow,
            post,
            listener,
            mic,
            speaker,
            clock,
            vocabulary=lambda: sync.call(lambda cache: schedule_vocabulary(cache, clock.now().date())),
            max_misses=settings.speech.max_misses,
            attract=(
                AttractInvites(every_s=settings.speech.attract_invite_every_s)
                if settings.speech.attract_listen
                else None
            ),
        )
    except BaseException:
        speaker.close()
        raise
    flow.add_listener(lambda view: volume.set_level(view.volume))  # before the dialog hears of it
    flow.add_listener(dialog.on_view)

    def day_sentences() -> list[tuple[str, str]]:
        from speech.sayable import day_bookings
        from speech.sayable import day_sentences as sentences

        bookings, providers = sync.call(lambda cache: day_bookings(cache, clock.now().date()))
        return [(s, lang) for lang in speaker.languages for s in sentences(bookings, providers, lang)]

    return Voice(dialog, speaker, meter, day_sentences)


def _private_listening(settings: Settings, speaker: AudioSink) -> AudioSink:
    """The speaker, or speaker and headphones routed by ``[speech] output`` (speech.headphones)."""
    from speech.headphones import AmixerJack, RoutedSink
    from speech.microphone import SoundDeviceSink, require_sound_device

    speech = settings.speech
    if speech.output == "speaker":
        return speaker
    if speech.headphone_device:
        require_sound_device("output", speech.headphone_device)
    headphones = SoundDeviceSink(speech.headphone_device or None)
    jack = AmixerJack(speech.headphone_jack_card) if speech.headphone_jack_card else None
    return RoutedSink(speaker, headphones, speech.output, jack)


__all__ = ["Voice", "build_voice"]
