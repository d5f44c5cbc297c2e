"""Blind journeys for ``python -m devtools bench`` (``devtools.blind_journeys``): patients who
only speak and listen, on the kiosk's real recognizer, through the real flow and dialog.

``a11y_blind_journeys``: the completed fraction over every language's journeys and voices
(goal >= 0.9); ``a11y_blind_journeys_<lang>`` per language; how many ran, the journeys that
did not complete (name/voice), and the median listens and seconds a completed one took.
``--quick``: one voice.
"""

from __future__ import annotations

import statistics
import sys
from typing import Any

from devtools.blind_journeys import JOURNEYS, VOICES, completed_fraction, run_journeys


def kiosk_recognizer() -> Any:
    """The kiosk's default: Whisper tiny.en beside the grammar pass where the model is
    installed, else pocketsphinx alone (``devtools.bench_ui`` picks the same)."""
    from speech.recognizer import make_recognizer

    try:
        from devtools.whisper_model import tiny_en_model

        return make_recognizer("whisper", whisper_model=str(tiny_en_model()))
    except ImportError:  # the pinned model wheel is not installed
        return make_recognizer("pocketsphinx", "")


def run_bench(quick: bool = False) -> dict[str, Any]:
    from speech.tts import Pyttsx3Synthesizer

    recognizer = kiosk_recognizer()
    kiosk_voice, patients = Pyttsx3Synthesizer(timeout_s=10), Pyttsx3Synthesizer(timeout_s=10)
    out: dict[str, Any] = {"a11y_blind_engine": type(recognizer).__name__}
    everyone = []
    try:
        for lang in JOURNEYS:
            voices = VOICES[lang][:1] if quick else VOICES[lang]
            results = run_journeys(lang, recognizer, kiosk_voice, patients, voices=voices)
            everyone += results
            out[f"a11y_blind_journeys_{lang}"] = round(completed_fraction(results), 3)
            for r in results:
                print(
                    f"blind {lang} {r.voice} {r.journey}: {r.completed} in {r.listens} listens",
                    file=sys.stderr,
                )
    finally:
        kiosk_voice.close()
        patients.close()
    done = [r for r in everyone if r.completed]
    out["a11y_blind_journeys"] = round(completed_fraction(everyone), 3)
    out["a11y_blind_journeys_run"] = len(everyone)
    out["a11y_blind_journeys_failed"] = [f"{r.journey}/{r.voice}" for r in everyone if not r.completed]
    out["a11y_blind_journey_listens_p50"] = statistics.median(r.listens for r in done) if done else None
    out["a11y_blind_journey_s_p50"] = round(statistics.median(r.seconds for r in done), 1) if done else None
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run_bench(quick="--quick" in sys.argv), indent=2))
