"""``kiosk speech ...``: debug listening on a WAV file, installing a vosk model, speaking to a WAV."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from core.clock import SystemClock
from speech.intents import Step


def add_commands(subparsers: Any) -> None:
    speech = subparsers.add_parser("speech", help="voice check-in tools (listen, install-model, say)")
    sub = speech.add_subparsers(dest="speech_command", metavar="SPEECH_COMMAND", required=True)

    listen = sub.add_parser("listen", help="recognize a WAV file as the kiosk would; prints JSON")
    listen.add_argument("--wav", required=True, help="a PCM WAV file (any rate >= 8 kHz, mono or stereo)")
    listen.add_argument("--step", default=Step.GREETING.value, choices=[s.value for s in Step])
    listen.add_argument("--engine", default=None, choices=("auto", "pocketsphinx", "vosk"))
    listen.add_argument("--vosk-model", default=None, help="vosk model directory (overrides settings)")
    listen.add_argument("--names", default="", help="comma-separated first names on today's schedule")
    listen.add_argument("--providers", default="", help="comma-separated provider names")
    listen.add_argument("--lang", default="en", choices=("en", "es"))
    listen.set_defaults(handler=_listen)

    install = sub.add_parser("install-model", help="verify a vosk model zip and install it")
    install.add_argument("archive", help="the model archive (.zip) a technician brought")
    install.add_argument("--dest", default=None, help="models directory (default: speech.models_dir)")
    install.add_argument("--sha256", default="", help="expected SHA-256 of the archive")
    install.set_defaults(handler=_install_model)

    say = sub.add_parser("say", help="speak a sentence into a WAV file (or the speaker)")
    say.add_argument("text")
    say.add_argument("--wav", default=None, help="write here instead of playing")
    say.add_argument("--lang", default="en", choices=("en", "es"))
    say.set_defaults(handler=_say)


def _settings(args: argparse.Namespace) -> Any:
    from config.loader import load_settings

    return load_settings(getattr(args, "config", None)).speech


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _listen(args: argparse.Namespace) -> int:
    from speech.grammar import build_grammar
    from speech.listener import Listener, WavSource
    from speech.recognizer import make_recognizer
    from speech.wiring import listen_config_from_settings

    settings = _settings(args)
    recognizer = make_recognizer(
        args.engine or settings.engine,
        args.vosk_model if args.vosk_model is not None else settings.vosk_model_dir,
    )
    today = SystemClock().now().date()
    grammar = build_grammar(Step(args.step), _split(args.names), _split(args.providers), args.lang, today)
    source = WavSource(Path(args.wav), rate=recognizer.sample_rate)
    config = listen_config_from_settings(settings)
    config.timeout_s = max(config.timeout_s, source.audio.seconds + 1)
    heard = Listener(recognizer, config=config).listen(source, grammar, today)
    out = {
        "engine": recognizer.engine,
        "step": args.step,
        "status": heard.status,
        "text": heard.text,
        "intent": _describe(heard.intent),
        "clipped": heard.clipped,
    }
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0 if heard.status == "heard" else 3


def _describe(intent: object) -> dict[str, Any] | None:
    if intent is None:
        return None
    fields = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(intent).items()}
    return {"type": type(intent).__name__, **fields}


def _install_model(args: argparse.Namespace) -> int:
    from speech.models import install_model

    dest = Path(args.dest) if args.dest else Path(_settings(args).models_dir)
    path = install_model(Path(args.archive), dest, args.sha256)
    sys.stdout.write(
        f"installed vosk model at {path}\nset [speech] vosk_model_dir = {str(path)!r} to use it\n"
    )
    return 0


def _say(args: argparse.Namespace) -> int:
    from speech.audio import write_wav
    from speech.tts import HalfDuplex, MemorySink
    from speech.wiring import speaker_from_settings

    settings = _settings(args)
    sink = MemorySink() if args.wav else None

    def caption(text: str) -> None:
        sys.stderr.write(text + "\n")

    speaker = speaker_from_settings(settings, HalfDuplex(), caption, sink)
    try:
        speaker.say(args.text, args.lang)
        speaker.wait_idle(settings.tts_timeout_s + 30)
    finally:
        speaker.close()
    if speaker.errors:
        sys.stderr.write(f"kiosk: {speaker.errors[-1]}\n")
        return 1
    if isinstance(sink, MemorySink) and sink.played:
        write_wav(args.wav, sink.played[-1])
    return 0
