"""Speech out, measured: first audio, real-time factor, memory and intelligibility per engine.

- ``tts_first_audio_ms`` {engine: {cached, uncached}: {p50, p99}}: ``Speaker.say`` → the
  first audio handed to the sink. Cached: fixed prompts after the pre-render; uncached:
  turns nobody has heard (a provider's status with its new time, a confirm prompt), the
  cache emptied before each so not even their first words were rendered before.
- ``tts_rtf`` {engine}: synthesis seconds per second of speech, the sample morning's sentences.
- ``tts_rss_mb`` {engine}: resident memory of the engine's worker process, voice loaded.
- ``tts_wer`` {engine: {clean, noise_10db, phone}}: word error rate of Whisper tiny.en on
  one English sentence in ``SLICE_EVERY`` (every one with ``--full``;
  ``devtools.tts_intelligibility``); ``tts_wer_words`` the words scored, ``tts_wer_sample``
  the sentences scored of all. ``tts_rtf`` is over the same sentences.

``python -m devtools.bench_tts [--quick | --full]`` runs it alone.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from datetime import time as clock_time

import psutil

from devtools.bench import full_run
from devtools.tts_intelligibility import CONDITIONS, score, sentences
from speech.audio import Audio
from speech.phrases import PROMPTS, confirm_prompt, prompt, provider_status
from speech.prompt_cache import PromptCache
from speech.synth_process import ChildProcessSynthesizer, PiperSynthesizer, Pyttsx3Synthesizer
from speech.tts import HalfDuplex, MemorySink, Route, Speaker
from speech.voices import packaged_voice

_NAMES = ("Maria", "James", "Aisha", "Liam", "Sofia", "Noah", "Mei", "Lucas", "Amara", "Ethan")
_PROVIDERS = ("Dr. Ana Martinez", "Dr. Wei Chen", "Dr. Ngozi Okafor", "Dr. Raj Patel")


class _TimedSink(MemorySink):
    def __init__(self) -> None:
        super().__init__()
        self.first: float | None = None

    def play(self, audio: Audio) -> None:
        if self.first is None:
            self.first = time.perf_counter()
        super().play(audio)


def _percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p99": round(p99, 2), "n": len(ordered)}


def _uncached_turns(count: int) -> list[str]:
    """Turns said live: statuses with their new times, confirm prompts, each one distinct."""
    turns: list[str] = []
    n = 0
    while len(turns) < count:
        provider = _PROVIDERS[n % len(_PROVIDERS)]
        hour, minute = 8 + n // 12 % 4, 5 * (n % 12)
        delay = 10 + 5 * (n % 11)
        turns.append(f"{provider_status(provider, delay, clock_time(hour, minute))} {prompt('done')}")
        name = _NAMES[n % len(_NAMES)]
        turns.append(confirm_prompt(name, clock_time(hour, (minute + 5) % 60), provider))
        n += 1
    return turns[:count]


def _first_audio(synth: ChildProcessSynthesizer, voice: str, rounds: int) -> dict[str, dict[str, float]]:
    sink = _TimedSink()
    route = Route(synth, voice, f"{synth.engine}:{voice}")
    speaker = Speaker(synth, sink, HalfDuplex(), routes={"en": route}, cache=PromptCache(None, 4096))
    fixed = [prompt(key) for key in PROMPTS]
    try:
        speaker.warm_up()
        speaker.prerender(fixed, "en")
        speaker.prerendered(600)
        timings: dict[str, list[float]] = {"cached": [], "uncached": []}
        turns = [("cached", fixed[n % len(fixed)]) for n in range(rounds)]
        turns += [("uncached", t) for t in _uncached_turns(rounds)]
        for kind, turn in turns:
            if kind == "uncached":  # nothing of it rendered before: not even its first words
                speaker.cache.forget_memory()
            sink.first = None
            start = time.perf_counter()
            speaker.say(turn)
            if not speaker.wait_idle(120) or sink.first is None:
                raise RuntimeError(f"{synth.engine}: nothing played for {turn!r}: {speaker.errors[-1:]}")
            timings[kind].append((sink.first - start) * 1000)
    finally:
        speaker.close()
    return {kind: _percentiles(values) for kind, values in timings.items()}


def _rtf(synth: ChildProcessSynthesizer, voice: str, texts: Sequence[str]) -> float:
    spent = audio_s = 0.0
    for text in texts:
        start = time.perf_counter()
        audio = synth.synthesize(text, voice, 160)
        spent += time.perf_counter() - start
        audio_s += audio.seconds
    return spent / audio_s


def _as_spoken(synth: ChildProcessSynthesizer, voice: str, texts: Sequence[str]) -> list[tuple[str, Audio]]:
    """Each sentence as a patient hears it the first time: said by the ``Speaker`` with
    nothing cached (its first words rendered and played apart from the rest)."""
    sink = MemorySink()
    route = Route(synth, voice, f"{synth.engine}:{voice}")
    speaker = Speaker(synth, sink, HalfDuplex(), routes={"en": route}, cache=PromptCache(None, 1))
    try:
        for text in texts:
            speaker.say(text)
        if not speaker.wait_idle(1800) or speaker.errors:
            raise RuntimeError(f"{synth.engine}: speaking failed: {speaker.errors[-1:]}")
    finally:
        speaker.close()
    return list(zip(texts, sink.played, strict=True))


def _rss_mb(synth: ChildProcessSynthesizer) -> float:
    pid = synth.pid
    return round(psutil.Process(pid).memory_info().rss / 2**20, 1) if pid else float("nan")


# The default run scores one English sentence in SLICE_EVERY (every kind of sentence is
# in it: the list runs prompts, confirm prompts, statuses, times in turn); ``--full``
# scores them all. The stride keeps the espeak/Piper comparison (the goal) and costs a
# third of the transcriptions, which are most of the area's time.
SLICE_EVERY = 3


def run_bench(quick: bool = False, full: bool | None = None) -> dict[str, object]:
    rounds = 10 if quick else 40
    english = sentences("en")
    every = 6 if quick else 1 if (full_run() if full is None else full) else SLICE_EVERY
    scored = english[::every]
    engines: list[tuple[str, ChildProcessSynthesizer, str]] = [
        ("piper", PiperSynthesizer(), str(packaged_voice().model)),
        ("espeak", Pyttsx3Synthesizer(), "en-us"),
    ]
    first: dict[str, object] = {}
    rtf: dict[str, float] = {}
    rss: dict[str, float] = {}
    wer: dict[str, dict[str, float]] = {}
    words = 0
    for name, synth, voice in engines:
        try:
            synth.warm_up(voice)
            rtf[name] = round(_rtf(synth, voice, scored), 4)
            rss[name] = _rss_mb(synth)  # voice loaded and every sentence length seen
            first[name] = _first_audio(synth, voice, rounds)
            rendered = _as_spoken(synth, voice, scored)
            print(f"bench_tts: {name}: scoring {len(rendered)} sentences", file=sys.stderr, flush=True)
            scores = score(rendered, CONDITIONS)
            wer[name] = {c: round(s.wer, 4) for c, s in scores.items()}
            words = scores["clean"].words
        finally:
            synth.close()
    return {
        "tts_first_audio_ms": first,
        "tts_rtf": rtf,
        "tts_rss_mb": rss,
        "tts_wer": wer,
        "tts_wer_words": words,
        "tts_wer_sample": {"sentences": len(scored), "of": len(english), "every": every},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run_bench("--quick" in sys.argv, "--full" in sys.argv), indent=2))
