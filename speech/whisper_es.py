"""Spanish by voice: a multilingual Whisper (base) with the language fixed to Spanish, two ways.

pocketsphinx has no Spanish model here, so the grammar pass is Whisper again, constrained:
**the step's closed set** (every phrase the Spanish grammar accepts, and at the date step the
transcript's own date, its neighbours and today's booked dates) is scored by forced decoding
(``ctranslate2``'s ``align``: each phrase's token probabilities given the audio), and the best
phrase is the grammar's guess (``finish``). The **open ear** is Whisper's free transcript
(``open_pass``), read by ``speech.matcher_es``. ``speech.agreement`` then weighs the two as in
English: an answer of consequence (a "sí" at the confirm step, a name, a birth date, a
language switch) is acted on only when both mean the same. A date heard a year off loses to
its true neighbour in the closed set (scored written in words and in digits: both must put the
same date first), and the two then disagree: the kiosk asks again. The closed set is scored in
the model's own BPE split (``speech.whisper_bpe``).

The model is the same CTranslate2 int8 model ``speech.whisper_engine`` runs, with our own
features and vocabulary (``speech.whisper_io``); the encoder runs once per utterance.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import SpeechError
from speech.dates import ES_MONTHS
from speech.grammar import StepGrammar
from speech.intents import Name, Step
from speech.matcher_es import ACCENTED, spanish_date
from speech.models import installed_models
from speech.numbers import read_spanish_number, say_number
from speech.recognizer import Hypothesis
from speech.whisper_bpe import BpeEncoder
from speech.whisper_engine import (
    BEAM_SIZE,
    MAX_TOKENS,
    TOKENS_PER_S,
    WINDOW_S,
    _trim_heap,
    compression_ratio,
    load_whisper_model,
    unlooped,
)
from speech.whisper_io import Vocabulary, log_mel

MULTILINGUAL_VOCABULARY = 51865


def is_multilingual(model_dir: Path) -> bool:
    """Whether the Whisper model in ``model_dir`` speaks more than English: Whisper's own rule,
    a vocabulary of 51,865 tokens or more (tiny.en's config lists language ids all the same)."""
    try:
        return len(Vocabulary.load(model_dir).tokens) >= MULTILINGUAL_VOCABULARY
    except SpeechError:
        return False


def spanish_model_path(configured: str, models_dir: str = "") -> tuple[Path | None, str]:
    """The multilingual Whisper for Spanish: ``configured`` when set (``None`` with the reason
    when it is not there or speaks English only), else one installed under ``models_dir``."""
    if configured:
        path = Path(configured)
        if not (path / "model.bin").is_file():
            return None, f"no Whisper model at {path} (speech.whisper_model_es)"
        if not is_multilingual(path):
            return None, f"{path} is an English-only Whisper model (speech.whisper_model_es)"
        return path, ""
    found = installed_models(Path(models_dir), "whisper") if models_dir else []
    multilingual = [p for p in found if is_multilingual(p)]
    if not multilingual:
        return None, f"no multilingual Whisper model installed under {models_dir or 'speech.models_dir'}"
    return multilingual[0], ""


class SpanishWhisper:
    """A ``Recognizer`` for Spanish grammars: ``finish`` is the closed set's best phrase,
    ``open_pass`` the free transcript (both over one encoding of the utterance)."""

    engine = "whisper"
    sample_rate = 16000
    languages: tuple[str, ...] = ("es",)

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int = 2,
        verify: bool = True,
        window_s: float = WINDOW_S,
        beam_size: int = BEAM_SIZE,
    ) -> None:
        self._model: Any = load_whisper_model(model_dir, threads, verify)
        if not self._model.is_multilingual:
            raise SpeechError(
                f"{model_dir} is an English-only Whisper model: Spanish needs a multilingual one"
            )
        self._vocabulary = Vocabulary.load(model_dir)
        self._bpe = BpeEncoder.load(model_dir, self._vocabulary)
        self._start = [
            self._vocabulary.sot,
            self._vocabulary.id("<|es|>"),
            self._vocabulary.id("<|transcribe|>"),
            self._vocabulary.no_timestamps,
        ]
        self._n_mels = int(self._model.n_mels)
        self.model_dir = model_dir
        self.window_s = window_s
        self.beam_size = beam_size
        self._grammar: StepGrammar | None = None
        self._prompt: list[int] = []
        self._pcm = bytearray()
        self._raw = False
        self._encoded: tuple[Any, int] | None = None
        self._heard: Hypothesis | None = None
        self._decoded = False
        self._lock = threading.Lock()

    def set_grammar(self, grammar: StepGrammar) -> None:
        self._grammar = grammar
        words = _prompt_words(grammar)
        self._prompt = self._vocabulary.encode(" " + words) if words else []

    def start(self) -> None:
        self._pcm.clear()
        self._raw = False
        self._encoded = None
        self._heard = None
        self._decoded = False

    def accept(self, pcm: bytes) -> None:
        if not self._raw:
            self._pcm.extend(pcm)

    def accept_raw(self, pcm: bytes) -> None:
        """The audio before noise suppression (as for English Whisper: it hears better raw)."""
        if not self._raw:
            self._raw = True
            self._pcm.clear()
        self._pcm.extend(pcm)

    def finish(self) -> Hypothesis:
        """The closed set's best phrase (its grammar key), runner-ups in ``alternatives``."""
        grammar = self._grammar
        if grammar is None or self._encode() is None:
            return Hypothesis("", self.engine)
        heard = self.open_pass()
        candidates = closed_set(grammar, heard.text if heard else "")
        scored = sorted(zip(self.score(list(candidates.values())), candidates, strict=True), reverse=True)
        best = scored[0][1]
        if grammar.dates and not self._digits_agree(grammar, best, candidates):
            return Hypothesis("", self.engine)  # the two written forms picked different dates
        per_token = [
            (score / max(1, len(self._bpe.encode(" " + candidates[key]))), key) for score, key in scored
        ]
        lead = _lead(grammar, per_token)
        if lead is not None and lead < 0:  # the best in all and the best per token mean different things
            return Hypothesis("", self.engine)
        return Hypothesis(
            best,
            self.engine,
            confidence=lead,
            alternatives=tuple((key, score) for score, key in per_token[:6]),
            avg_logprob=per_token[0][0],
        )

    def _digits_agree(self, grammar: StepGrammar, best: str, candidates: dict[str, str]) -> bool:
        """Whether the dates written as Whisper writes them ("25 de diciembre de 1990.") put the
        same date first as the words did. Each form alone picked a wrong year on espeak-ng clips
        (words: "ochenta" for "noventa"; digits: 1919 for 1980, as the transcript had it); the
        two agreeing is the closed set's answer, else it has none."""
        today = _today(grammar)
        dates = {key: found for key in candidates if (found := spanish_date(key, today)) is not None}
        if best not in dates:
            return True
        keys = sorted(dates)
        scores = self.score([_written(dates[k]) for k in keys])
        return keys[scores.index(max(scores))] == best

    def open_pass(self) -> Hypothesis | None:
        """Whisper's free transcript in Spanish (decoded once per utterance)."""
        if not self._decoded:
            self._heard = self._transcribe()
            self._decoded = True
        return self._heard

    def transcribe(self, pcm: bytes) -> Hypothesis | None:
        """The free transcript of ``pcm`` alone (a new utterance)."""
        self.start()
        self.accept(pcm)
        return self.open_pass()

    def spanish_probability(self) -> float:
        """Whisper's language identification: how likely the utterance was Spanish."""
        encoded = self._encode()
        if encoded is None:
            return 0.0
        with self._lock:
            ranked = self._model.detect_language(encoded[0])[0]
        return dict((str(name), float(p)) for name, p in ranked).get("<|es|>", 0.0)

    def score(self, texts: list[str]) -> list[float]:
        """Log-probability of each Spanish ``texts`` (forced decoding over this utterance)."""
        encoded = self._encode()
        if encoded is None or not texts:
            return [float("-inf")] * len(texts)
        import ctranslate2

        features, frames = encoded
        batch = [self._bpe.encode(" " + t) for t in texts]
        tiled = ctranslate2.StorageView.from_array(np.repeat(np.array(features), len(batch), axis=0))
        with self._lock:
            results = self._model.align(tiled, self._start, batch, frames)
        del tiled
        return [float(np.log(np.maximum(np.array(r.text_token_probs), 1e-30)).sum()) for r in results]

    def _encode(self) -> tuple[Any, int] | None:
        if self._encoded is not None:
            return self._encoded
        pcm = bytes(self._pcm)
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32) / 32768.0
        if len(samples) < self.sample_rate // 10:
            return None
        import ctranslate2

        pad = max(160, int(self.window_s * self.sample_rate) - len(samples))
        features = log_mel(np.concatenate([samples, np.zeros(pad, np.float32)]), self._n_mels)
        with self._lock:
            encoded = self._model.encode(ctranslate2.StorageView.from_array(features[None]))
        self._encoded = (encoded, max(1, min(features.shape[1], len(samples) // 160 + 1) // 2))
        self._seconds = len(samples) / self.sample_rate
        return self._encoded

    def _transcribe(self) -> Hypothesis | None:
        encoded = self._encode()
        if encoded is None:
            return None
        budget = min(MAX_TOKENS, 8 + int(TOKENS_PER_S * self._seconds))
        prompt = (
            [self._vocabulary.sot_prev, *self._prompt[-100:], *self._start] if self._prompt else self._start
        )
        with self._lock:
            result = self._model.generate(
                encoded[0], [prompt], beam_size=self.beam_size, max_length=len(prompt) + budget,
                return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            )[0]  # fmt: skip
        _trim_heap()
        tokens = [t for t in result.sequences_ids[0] if t < self._vocabulary.eot]
        raw = self._vocabulary.decode(tokens).strip()
        text = unlooped(raw)
        if not text:
            return None
        return Hypothesis(
            text=text,
            engine=self.engine,
            avg_logprob=float(result.scores[0]) * len(tokens) / (len(tokens) + 1),
            no_speech_prob=float(result.no_speech_prob),
            compression_ratio=compression_ratio(raw),
        )

    def close(self) -> None:
        self._model = None
        self._encoded = None
        _trim_heap()


def _lead(grammar: StepGrammar, per_token: list[tuple[float, str]]) -> float | None:
    """How far (average log-probability per token) the closed set's best phrase leads the
    best phrase that means something else (``None``: nothing else was in the set)."""
    today = _today(grammar)
    best = grammar.parse(per_token[0][1], today)
    others = [score for score, key in per_token[1:] if grammar.parse(key, today) != best]
    return per_token[0][0] - max(others) if others else None


def closed_set(grammar: StepGrammar, transcript: str) -> dict[str, str]:
    """The step's closed set: grammar key -> the Spanish it is scored as ("si" -> "Sí.").
    At the date step: the transcript's date, its neighbours, and the dates booked today."""
    out = {key: spoken(key) for key in sorted(grammar.phrases)}
    if grammar.dates:
        today = _today(grammar)
        heard = spanish_date(transcript, today)
        dates = set(_booked(grammar, today))
        if heard is not None:  # dates against dates: a short phrase always outscores a long one
            dates |= {heard, *_neighbours(heard)}
            out = {}
        for when in sorted(dates):
            words = say_date_es(when)
            out[words] = spoken(words)
    return out


def _written(when: date) -> str:
    """A date as Whisper writes it in Spanish ("25 de diciembre de 1990.")."""
    return f"{when.day} de {ES_MONTHS[when.month - 1]} de {when.year}."


def say_date_es(when: date) -> str:
    """A birth date as said in Spanish ("doce de marzo de mil novecientos ochenta")."""
    day = "primero" if when.day == 1 else say_number(when.day, "es")
    return f"{day} de {ES_MONTHS[when.month - 1]} de {_say_year(when.year)}"


def spoken(key: str) -> str:
    """A grammar key (accents folded) as written Spanish, capitalised, with its full stop."""
    words = " ".join(ACCENTED.get(w, w) for w in key.split())
    return words[:1].upper() + words[1:] + "."


def _say_year(year: int) -> str:
    thousands, rest = divmod(year, 1000)
    hundreds, low = divmod(rest, 100)
    head = "mil" if thousands == 1 else f"{say_number(thousands, 'es')} mil"
    middle = {0: "", 9: "novecientos", 8: "ochocientos"}.get(hundreds, "")
    return " ".join(w for w in (head, middle, say_number(low, "es") if low else "") if w)


def _booked(grammar: StepGrammar, today: date) -> list[date]:
    """Today's booked birth dates, read back from the grammar's expected patterns."""
    out = []
    for pattern in grammar.expected_patterns:
        found = spanish_date(" ".join(" ".join(segment[0]) for segment in pattern), today)
        if found is not None:
            out.append(found)
    return out


def _today(grammar: StepGrammar) -> date:
    """The grammar's year: the last birth year its date patterns accept (``dates.date_patterns``
    ends them at today's year), so no wall clock is read here."""
    latest = grammar.date_patterns[0][2][-1][1:] if grammar.date_patterns else []
    year = read_spanish_number(list(latest))
    return date(year, 12, 31) if year else date.max


def _neighbours(heard: date) -> list[date]:
    """Dates a mishearing lands on: a day either side, every year of the same decade
    ("setenta y uno" for "setenta y ocho": heard once on es+f3) and the same year in the
    decades either side ("ochenta" for "noventa")."""
    out = [heard + timedelta(days=d) for d in (-1, 1)]
    decade = heard.year - heard.year % 10
    years = {*range(decade, decade + 10), heard.year - 10, heard.year + 10}
    for year in sorted(years - {heard.year}):
        try:
            out.append(heard.replace(year=year))
        except ValueError:
            continue
    return out


def _prompt_words(grammar: StepGrammar) -> str:
    if grammar.step is Step.CHOOSE_NAME:
        names = sorted({i.first_name for i in grammar.phrases.values() if isinstance(i, Name)})
        return ", ".join(names) + "." if names else ""
    return ""  # at the date step "Fecha de nacimiento." came back as the transcript


__all__ = ["SpanishWhisper", "closed_set", "is_multilingual", "say_date_es", "spanish_model_path", "spoken"]
