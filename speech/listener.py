"""Listening: audio sources behind one interface, VAD segmentation, half-duplex gating,
recognition and grammar parsing into a ``Heard`` result.

A WAV file and the microphone are both ``AudioSource``s yielding int16 frames at the
recognizer's rate, so tests, replay and ``kiosk speech listen --wav`` use the same path
as the lobby. Time is measured in audio (frames), never read from a wall clock here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np

from core.errors import SpeechError
from speech.agreement import AGREEMENT, Agreement, weigh
from speech.audio import Audio, EnergyVad, Samples, clipped_fraction, read_wav, rms_dbfs
from speech.closed_set import closed_margin
from speech.confidence import (
    ACT,
    DEFAULT_THRESHOLDS,
    OPEN_PASS_BARS,
    REPROMPT,
    Evidence,
    Thresholds,
    decide,
    margin,
)
from speech.denoise import Denoiser
from speech.grammar import StepGrammar
from speech.intents import Intent
from speech.openpass import TWO_PASS, TwoPass, combine
from speech.recognizer import Hypothesis, Recognizer
from speech.tts import HalfDuplex

QUIET_ROOM_DBFS = -55.0
"""Median frame level before an utterance below which the room counts as quiet (tune split:
docs/speech.md)."""


class AudioSource(Protocol):
    rate: int

    def frames(self) -> Iterator[Samples]:
        """Frames of int16 mono samples at ``rate``; ends when the source does."""
        ...

    def close(self) -> None: ...


class WavSource:
    """A WAV file (or an ``Audio``) replayed as frames, resampled to ``rate``."""

    def __init__(self, wav: str | Path | Audio, rate: int = 16000, frame_ms: int = 30) -> None:
        audio = wav if isinstance(wav, Audio) else read_wav(wav)
        self.audio = audio.resampled(rate)
        self.rate = rate
        self.frame_ms = frame_ms

    def frames(self) -> Iterator[Samples]:
        yield from self.audio.chunks(self.frame_ms)

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Heard:
    """The outcome of one listen.

    ``status``: "heard" (an intent), "no_match" (speech, but nothing the step accepts),
    "silence" (nobody spoke within the budget), "too_long" (speech never ended),
    "ended" (the source ran out mid-listen), "cancelled" (the caller's ``cancel`` said
    stop: a tap moved the flow on), "unsure" (a phrase the step accepts, ``guess``, but
    not clearly enough to act on: ``intent`` is ``None`` and the dialog re-prompts).
    ``speech_end_s`` is the audio time at which the utterance ended (for latency figures).
    ``evidence`` is what the recognizer measured; ``decision`` is "act", "reprompt" or "".
    """

    status: str
    intent: Intent | None = None
    text: str = ""
    clipped: bool = False
    speech_end_s: float = 0.0
    speech_s: float = 0.0
    guess: Intent | None = None
    evidence: Evidence = field(default_factory=Evidence)
    decision: str = ""
    open_text: str = ""
    """What the open pass heard (``speech.openpass``, or Whisper; "" when it did not run or
    heard nothing)."""
    open_confidence: float | None = None
    """The open pass's confidence (pocketsphinx: against the phone loop; Whisper: its average
    token log-probability)."""
    via: str = ""
    """Which pass the acted-on intent came from: "grammar", "open", "both" (grammar and
    Whisper agreed), "whisper" or "" (no action)."""
    whisper: Hypothesis | None = None
    """Whisper's transcript and measures (the Whisper engine; ``None``: it did not run)."""
    closed_margin: float | None = None
    """How far Whisper's transcript beat the step's best other answer, in nats
    (``speech.closed_set``; ``None``: not asked: only for an answer of consequence the grammar
    pass did not hear)."""

    @property
    def missed(self) -> bool:
        return self.intent is None


@dataclass
class ListenConfig:
    frame_ms: int = 30
    preroll_ms: int = 300
    timeout_s: float = 8.0
    vad: EnergyVad = field(default_factory=EnergyVad)
    clip_limit: float = 0.02
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    denoiser: Denoiser | None = None
    """Noise suppression before the VAD and the recognizer (``speech.denoise``); ``None``: off."""
    denoise_above_dbfs: float = QUIET_ROOM_DBFS
    """The recognizer hears the suppressed audio only when the room before the utterance
    was louder than this; in a quiet room RNNoise only takes speech away."""
    open_bars: Thresholds = OPEN_PASS_BARS
    """What an open-pass sentence must clear to be acted on where the grammar was unsure."""
    two_pass: TwoPass = TWO_PASS
    """How the grammar's and the open pass's opinions are weighed (``speech.openpass``)."""
    agreement: Agreement = AGREEMENT
    """How the grammar's and Whisper's opinions are weighed (``speech.agreement``)."""


class Listener:
    """One utterance at a time, from any source, through one recognizer."""

    def __init__(
        self,
        recognizer: Recognizer,
        half_duplex: HalfDuplex | None = None,
        config: ListenConfig | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.half_duplex = half_duplex or HalfDuplex()
        self.config = config or ListenConfig()

    def _check_rate(self, source: AudioSource) -> None:
        if source.rate != self.recognizer.sample_rate:
            raise SpeechError(
                f"audio source runs at {source.rate} Hz but the {self.recognizer.engine} recognizer "
                f"needs {self.recognizer.sample_rate} Hz"
            )

    def listen(
        self,
        source: AudioSource,
        grammar: StepGrammar,
        today: date,
        cancel: Callable[[], bool] | None = None,
    ) -> Heard:
        """Wait for one utterance (at most ``timeout_s`` of audio) and say what it meant.

        ``cancel`` is asked once per frame; when it returns True the listen ends at once.
        """
        self._check_rate(source)
        cfg = self.config
        vad = cfg.vad
        self._reset_front_end()
        self.recognizer.set_grammar(grammar)
        preroll: deque[tuple[Samples, Samples]] = deque(maxlen=max(1, cfg.preroll_ms // cfg.frame_ms))
        budget = int(cfg.timeout_s * 1000 / cfg.frame_ms)
        elapsed = 0
        speech: list[Samples] = []
        suppressed = False  # this utterance is heard through the noise suppressor
        if cancel is not None and cancel():
            return Heard("cancelled")  # stale before it began: open no microphone for it
        for raw in source.frames():
            elapsed += 1
            if cancel is not None and cancel():
                if vad.in_speech:
                    self.recognizer.finish()  # close the engine's utterance
                return Heard("cancelled")
            if self.half_duplex.muted:  # never hear ourselves
                vad.reset()
                preroll.clear()
                speech.clear()
                continue
            cleaned, event = self._front_end(raw)
            if not vad.in_speech and event is None:
                preroll.append((raw, cleaned))
                if elapsed >= budget:
                    return Heard("silence")
                continue
            if event == "start":
                suppressed = cfg.denoiser is not None and self._noisy_room([r for r, _ in preroll])
                self.recognizer.start()
                speech = [c if suppressed else r for r, c in preroll] + [cleaned if suppressed else raw]
                for (r, _), chunk in zip([*preroll, (raw, cleaned)], speech, strict=True):
                    self._accept(chunk, r)
                continue
            frame = cleaned if suppressed else raw
            speech.append(frame)
            self._accept(frame, raw)
            if event in ("end", "timeout"):
                return self._finish(event, speech, grammar, today, elapsed * cfg.frame_ms / 1000)
        if vad.in_speech:
            return self._finish("end", speech, grammar, today, elapsed * cfg.frame_ms / 1000)
        return Heard("ended")

    def _accept(self, frame: Samples, raw: Samples) -> None:
        """``frame`` to the recognizer; the unsuppressed ``raw`` too where it wants it (Whisper:
        RNNoise took more speech from it than noise, 0.65 → 0.54 of tune clips understood)."""
        self.recognizer.accept(frame.astype("<i2").tobytes())
        accept_raw = getattr(self.recognizer, "accept_raw", None)
        if callable(accept_raw):
            accept_raw(raw.astype("<i2").tobytes())

    def _reset_front_end(self) -> None:
        self.config.vad.reset()
        if self.config.denoiser is not None:
            self.config.denoiser.reset()

    def _front_end(self, frame: Samples) -> tuple[Samples, str | None]:
        """A frame through the noise suppressor (when on) and the VAD: (suppressed frame, VAD
        event). The VAD always hears the suppressed audio (it starts and ends better in noise)."""
        cfg = self.config
        if cfg.denoiser is not None:
            frame = cfg.denoiser.process(frame)
        return frame, cfg.vad.feed(rms_dbfs(frame))

    def _noisy_room(self, before: list[Samples]) -> bool:
        """Whether the audio before the utterance was louder than a quiet room."""
        if not before:
            return True
        level = float(np.median([rms_dbfs(f) for f in before]))
        return level > self.config.denoise_above_dbfs

    def _finish(
        self, event: str, speech: list[Samples], grammar: StepGrammar, today: date, at_s: float
    ) -> Heard:
        hyp = self.recognizer.finish()
        samples = np.concatenate(speech) if speech else np.zeros(0, np.int16)
        clipped = clipped_fraction(samples) > self.config.clip_limit
        seconds = len(samples) / self.recognizer.sample_rate
        if event == "timeout":
            return Heard("too_long", text=hyp.text, clipped=clipped, speech_end_s=at_s, speech_s=seconds)
        intent = grammar.parse(hyp.text, today)
        evidence, decision = Evidence(), REPROMPT
        if intent is not None:
            lead = margin(intent, hyp.alternatives, lambda t: grammar.parse(t, today))
            evidence = Evidence(hyp.confidence, hyp.unexplained, lead)
            decision = decide(grammar.step, intent, evidence, self.config.thresholds)
        if self.recognizer.engine == "whisper":
            heard = Heard("heard", None, hyp.text, clipped, at_s, seconds)
            return self._weigh_with_whisper(heard, intent, (evidence, decision), grammar, today)
        second = self._open_pass()
        open_text = second.text if second is not None else ""
        open_confidence = second.confidence if second is not None else None
        acted, via = combine(
            grammar, intent, decision=decision, open_text=open_text,
            open_evidence=Evidence(open_confidence), bars=self.config.open_bars,
            open_pass=callable(getattr(self.recognizer, "open_pass", None)),
            evidence=evidence, rules=self.config.two_pass,
        )  # fmt: skip
        status = "heard" if acted is not None else ("unsure" if intent is not None else "no_match")
        return Heard(
            status, acted, hyp.text, clipped, at_s, seconds, intent or acted, evidence,
            ACT if acted is not None else REPROMPT, open_text, open_confidence, via,
        )  # fmt: skip

    def _weigh_with_whisper(
        self,
        base: Heard,
        guess: Intent | None,
        judged: tuple[Evidence, str],
        grammar: StepGrammar,
        today: date,
    ) -> Heard:
        """The grammar's guess (its evidence and bars' decision) and Whisper's transcript
        weighed (``speech.agreement``)."""
        evidence, decision = judged
        whisper = self._open_pass()
        lead = evidence.confidence if grammar.lang == "es" else None  # Spanish: the closed set's lead
        score = getattr(self.recognizer, "score_texts", None)
        english = grammar.lang != "es" and callable(score)
        closed = closed_margin(grammar, guess, whisper, today, score) if english else None
        acted, via = weigh(
            grammar, guess, whisper, today, self.config.agreement, grammar_decision=decision,
            closed_set_lead=lead, closed_margin=closed,
        )  # fmt: skip
        status = "heard" if acted is not None else ("unsure" if guess is not None else "no_match")
        return replace(
            base, status=status, intent=acted, guess=guess or acted, evidence=evidence,
            decision=ACT if acted is not None else REPROMPT, open_text=whisper.text if whisper else "",
            open_confidence=whisper.avg_logprob if whisper else None, via=via, whisper=whisper,
            closed_margin=closed,
        )  # fmt: skip

    def _open_pass(self) -> Hypothesis | None:
        """The recognizer's second opinion (None: it heard nothing, or it has none: vosk)."""
        second = getattr(self.recognizer, "open_pass", None)
        return second() if callable(second) else None
