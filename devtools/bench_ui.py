"""UI figures for ``python -m devtools bench``: screen transition time and the kiosk's resident memory.

A transition is one flow action → the new screen's item present and visible after the
next frame (offscreen). RSS is measured with the UI up and a ``KioskSync`` running.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from core.clock import SystemClock


def _rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children_rss_mb() -> float:
    """The kiosk's helper processes (the speech synthesizer's worker)."""
    total = 0.0
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += _rss_mb(child)
    return total


def _load_speech() -> tuple[object, Any]:
    """What a kiosk with voice holds: the default recognizer with a grammar, a warm synthesizer."""

    from speech.grammar import build_grammar
    from speech.intents import Step
    from speech.recognizer import make_recognizer
    from speech.tts import Pyttsx3Synthesizer

    recognizer = _recognizer(make_recognizer)
    today = SystemClock().now().date()
    recognizer.set_grammar(build_grammar(Step.GREETING, today=today))  # the open pass's model too
    recognizer.set_grammar(build_grammar(Step.DATE_OF_BIRTH, ["Maria", "James"], ["Chen"], today=today))
    open_pass = getattr(recognizer, "transcribe", None)
    if callable(open_pass):  # Whisper's working memory too: one utterance decoded
        open_pass(bytes(16000 * 2 * 3))
    synth = Pyttsx3Synthesizer()
    synth.warm_up()
    return (recognizer, _denoiser()), synth


def _recognizer(make: Any) -> Any:
    """The kiosk's default: Whisper tiny.en beside the grammar pass where the model is installed
    (``make`` installs it from the pinned wheel), else pocketsphinx with every pass."""
    try:
        from devtools.whisper_model import tiny_en_model

        return make("whisper", whisper_model=str(tiny_en_model()))
    except ImportError:  # the pinned model wheel is not installed
        return make("pocketsphinx", "")


def _denoiser() -> object:
    """The noise suppressor a kiosk runs when its wheel is installed (speech/wiring.py)."""
    from core.errors import SpeechError
    from speech.denoise import Denoiser

    try:
        return Denoiser()
    except SpeechError:  # not installed: the kiosk runs without it too
        return None


def run_bench(quick: bool = False) -> dict[str, object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QGuiApplication

    from config.settings import BrokerSettings, KioskSettings, Settings
    from devtools.ui_sample import VISITORS, SampleDay
    from sync.kiosk_sync import KioskSync
    from ui.app import KioskUi, UiOptions

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    rounds = 20 if quick else 150
    samples: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-uibench-") as tmp:
        # A sync loop as on the kiosk (no broker reachable: it keeps retrying, as offline).
        settings = Settings(
            kiosk=KioskSettings(state_dir=str(Path(tmp) / "sync"), health_interval_s=5),
            broker=BrokerSettings(port=1, reconnect_min_s=1.0, reconnect_max_s=5.0),
        )
        sync = KioskSync(settings)
        sync.start()
        day = SampleDay(Path(tmp))
        ui = KioskUi(day.flow(), day.board, lambda: day.age_s, UiOptions(tick_ms=0))
        ui.show()
        try:
            model = ui.flow_model
            code = VISITORS["on_time"].code

            def step(action: object, screen: str) -> None:
                start = time.perf_counter()
                action()  # type: ignore[operator]
                app.processEvents()
                ui.window.grabWindow()  # the next frame
                item = ui.find(f"screen_{screen}")
                samples.append((time.perf_counter() - start) * 1000)
                if item is None or not item.isVisible():
                    raise RuntimeError(f"screen {screen} not shown")

            for _ in range(rounds):
                day.restore()
                step(model.wake, "welcome")
                step(lambda: model.start("code"), "code")
                for ch in code:
                    model.press(ch)
                step(model.submit, "confirm")
                step(lambda: model.confirm(True), "outcome")
                step(model.finish, "attract")
                # What the running event loop does between touches: deferred deletes of the
                # screens the Loader dropped (processEvents alone leaves them queued).
                app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            rss_ui = _rss_mb()
            _recognizer, synth = _load_speech()  # held while measuring
            rss_speech = _rss_mb() + _children_rss_mb()
            synth.close()
        finally:
            ui.close()
            day.close()
            sync.stop()
    samples.sort()
    return {
        "screen_transition_ms": {
            "p50": round(statistics.median(samples), 2),
            "p99": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 2),
        },
        "kiosk_rss_mb": round(rss_speech, 1),
        "kiosk_rss_detail_mb": {"ui_and_sync": round(rss_ui, 1), "with_speech": round(rss_speech, 1)},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run_bench("--quick" in sys.argv), indent=2))
