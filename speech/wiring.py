"""Build the speech parts from ``[speech]`` settings (one place, used by the CLI and the app)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from config.settings import SpeechSettings
from core.clock import Clock
from core.errors import SpeechError
from speech.audio import EnergyVad
from speech.denoise import Denoiser
from speech.listener import ListenConfig
from speech.prompt_cache import PromptCache
from speech.recognizer import Recognizer, make_recognizer
from speech.sayable import fixed_sentences
from speech.synth_process import PiperSynthesizer, Pyttsx3Synthesizer, Synthesizer
from speech.tts import AudioSink, HalfDuplex, PlaybackMeter, Route, Speaker
from speech.voices import choose_voices

_log = logging.getLogger(__name__)


def recognizer_from_settings(settings: SpeechSettings) -> Recognizer:
    """The configured English recognizer; with Whisper, Spanish beside it when a multilingual
    model is configured or installed (its hashes checked now, loaded when Spanish is chosen).
    Without one: one log line, and Spanish is by touch."""
    english = make_recognizer(
        settings.engine,
        settings.vosk_model_dir,
        whisper_model=settings.whisper_model,
        models_dir=settings.models_dir,
        threads=settings.whisper_threads,
    )
    if english.engine != "whisper":
        return english
    from speech.whisper_es import spanish_model_path

    model, why = spanish_model_path(settings.whisper_model_es, settings.models_dir)
    if model is None:
        _log.warning("speech: Spanish is by touch only: %s", why)
        return english
    from speech.bilingual import BilingualRecognizer
    from speech.models import verify_model
    from speech.whisper_es import SpanishWhisper

    try:
        verify_model(model, "whisper")
    except SpeechError as exc:
        _log.warning("speech: Spanish is by touch only: %s", exc)
        return english
    threads = settings.whisper_threads
    return BilingualRecognizer(english, lambda: SpanishWhisper(model, threads=threads, verify=False))


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
    *,
    prerender: bool = True,
) -> Speaker:
    """A speaker on the configured output device (or ``sink``), a voice per UI language
    (``[speech] tts``: Piper where a checked voice exists, espeak-ng elsewhere: one log
    line says why); ``meter`` follows what it plays (the face). Its fixed prompts start
    rendering at once (from the disk cache after the first start) unless not ``prerender``
    (a one-off ``kiosk speech say``)."""
    if sink is None:
        from speech.microphone import SoundDeviceSink

        sink = SoundDeviceSink(settings.output_device or None)
    espeak = Pyttsx3Synthesizer(timeout_s=settings.tts_timeout_s)
    choices = choose_voices(
        settings.tts,
        {"en": settings.piper_voice_en, "es": settings.piper_voice_es},
        {"en": settings.voice_en, "es": settings.voice_es},
    )
    piper: PiperSynthesizer | None = None
    routes: dict[str, Route] = {}
    for lang, choice in choices.items():
        synth: Synthesizer = espeak
        if choice.engine == "piper":
            piper = piper or PiperSynthesizer(timeout_s=max(settings.tts_timeout_s, 10.0))
            synth = piper
        routes[lang] = Route(synth, choice.voice, choice.identity)
        _log.info("speech: %s is spoken by %s", lang, choice.engine)
    cache = PromptCache(Path(settings.tts_cache_dir) if settings.tts_cache_dir else None)
    cache.prune({r.identity for r in routes.values()})
    speaker = Speaker(
        espeak,
        sink,
        half_duplex,
        on_caption,
        voices={"en": settings.voice_en, "es": settings.voice_es},
        rate_wpm=settings.rate_wpm,
        meter=meter,
        routes=routes,
        cache=cache,
        closing=tuple(s for s in (piper, espeak) if s is not None),
    )
    if not prerender:
        return speaker
    speaker.warm_up()
    for lang in routes:
        speaker.prerender(fixed_sentences(lang), lang, persist=True)
    return speaker
