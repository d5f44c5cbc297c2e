"""vosk (Kaldi) with a model directory a technician installed; grammar mode via phrase lists.

No model is ever downloaded: the directory must exist and look like a vosk model
(``speech.models.check_model_dir``) or loading fails with a ``SpeechError`` naming it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.errors import SpeechError
from speech.grammar import StepGrammar
from speech.models import check_model_dir
from speech.recognizer import Hypothesis


class VoskRecognizer:
    engine = "vosk"
    sample_rate = 16000

    def __init__(self, model_dir: Path, languages: tuple[str, ...] = ("en", "es", "ko")) -> None:
        check_model_dir(model_dir)
        try:
            import vosk
        except ImportError as exc:  # pragma: no cover - a packaging fault
            raise SpeechError(f"vosk is not installed: {exc}") from exc
        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(model_dir))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise SpeechError(f"vosk model {model_dir}: failed to load ({exc})") from exc
        self._vosk = vosk
        self.languages = languages
        self._rec: Any = None
        self._parts: list[str] = []

    def set_grammar(self, grammar: StepGrammar) -> None:
        phrases = json.dumps(grammar.vosk_phrases(), ensure_ascii=False)
        self._rec = self._vosk.KaldiRecognizer(self._model, float(self.sample_rate), phrases)

    def start(self) -> None:
        rec = self._require_grammar()
        rec.Reset()
        self._parts = []

    def accept(self, pcm: bytes) -> None:
        if len(pcm) % 2:
            raise SpeechError("audio chunk has an odd number of bytes: expected 16-bit samples")
        rec = self._require_grammar()
        if rec.AcceptWaveform(pcm):
            self._take(rec.Result())

    def partial(self) -> str:
        """The words heard so far in this utterance (streaming captions, barge-in)."""
        rec = self._require_grammar()
        return str(json.loads(rec.PartialResult()).get("partial", ""))

    def finish(self) -> Hypothesis:
        rec = self._require_grammar()
        self._take(rec.FinalResult())
        text = " ".join(p for p in self._parts if p)
        self._parts = []
        return Hypothesis(text=text, engine=self.engine)

    def close(self) -> None:
        self._rec = None

    def _take(self, result_json: str) -> None:
        text = str(json.loads(result_json).get("text", "")).strip()
        if text:
            self._parts.append(text)

    def _require_grammar(self) -> Any:
        if self._rec is None:
            raise SpeechError("vosk: set a grammar before listening")
        return self._rec
