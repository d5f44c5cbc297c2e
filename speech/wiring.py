"""Build the speech parts from ``[speech]`` settings (one place, used by the CLI and the app)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from config.settings import SpeechSettings
from core.clock import Clock
from core.errors import SpeechError
from speech.audio import EnergyVad
from speech.denoise import Denoiser
from speech.listener import ListenConfig
from speech.recognizer import Recognizer, make_recognizer
from speech.tts import AudioSink, HalfDuplex, PlaybackMeter, Pyttsx3Synthesizer, Speaker

_log = logging.getLogger(__name__)


def recognizer_from_settings(settings: SpeechSettings) -> Recognizer:
    return make_recognizer(
        settings.engine,
        settings.vosk_model_dir,
        whisper_model=settings.whisper_model,
        models_dir=settings.models_dir,
        threads=settings.whisper_threads,
    )


def listen_config_from_settings(settings: SpeechSettings) -> ListenConfig:
    vad = EnergyVad(
        threshold_db=settings.vad_threshold_db,
        hangover_ms=settings.vad_hangover_ms,
        max_utterance_s=settings.max_utterance_s,
    )
    return ListenConfig(timeout_s=settings.listen_timeout_s, vad=vad, denoiser=_denoiser())


def _denoiser() -> Denoiser | None:
    """RNNoise when its wheel is installed (the [kiosk] extra); without it, no suppression."""
    try:
        return Denoiser()
    except SpeechError as exc:
        _log.warning("speech: no noise suppression (%s)", exc)
        return None


def half_duplex_from_settings(settings: SpeechSettings, clock: Clock | None = None) -> HalfDuplex:
    return HalfDuplex(clock, tail_s=settings.echo_tail_ms / 1000)


def speaker_from_settings(
    settings: SpeechSettings,
    half_duplex: HalfDuplex,
    on_caption: Callable[[str], None],
    sink: AudioSink | None = None,
    meter: PlaybackMeter | None = None,
) -> Speaker:
    """A speaker on the configured output device (or ``sink``), voices by UI language;
    ``meter`` follows what it plays (the face)."""
    if sink is None:
        from speech.microphone import SoundDeviceSink

        sink = SoundDeviceSink(settings.output_device or None)
    return Speaker(
        Pyttsx3Synthesizer(timeout_s=settings.tts_timeout_s),
        sink,
        half_duplex,
        on_caption,
        voices={"en": settings.voice_en, "es": settings.voice_es},
        rate_wpm=settings.rate_wpm,
        meter=meter,
    )
