"""Spanish by voice: how often Whisper base (language fixed to Spanish, agreement before action)
understands a Spanish answer, how often it acts wrongly, and how fast it replies.

The corpus is made here, from more than one voice: espeak-ng ``es`` and ``es-419`` and their
variants (``+f3``, ``+m3``; ``--full`` adds more), each answer clean and in room noise (white
noise at 15 dB SNR), through the kiosk's own ``Listener`` and ``SpanishWhisper``. The answers
are split: the "tune" wordings were the ones looked at while building (speech/whisper_es.py),
the figures are on the "heldout" ones. ``--full`` adds four voices, and Whisper base against
tiny.en as the English open ear (``voice_en_base_vs_tiny``, the English corpus's held-out slice).
``voice_es_understood``: acted on and right, over all held-out answers that mean something;
``voice_es_wrong_action_rate``: acted on and wrong (an out-of-domain answer acted on included),
over all; ``voice_es_reply_ms``: p50 of a listen's wall time with its audio fed unpaced (the
front end over the clip, then both Whisper passes: what a patient waits for once the VAD has
heard the end, its 600 ms hangover not included).
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from devtools.bench import FULL_ENV, percentiles
from speech.audio import Audio, read_wav
from speech.grammar import build_grammar
from speech.intents import (
    CallStaff,
    CheckIn,
    Choice,
    DateOfBirth,
    Help,
    Intent,
    Language,
    No,
    Repeat,
    Step,
    Volume,
    Yes,
)
from speech.listener import ListenConfig, Listener

TODAY = date(2026, 11, 30)
VOICES = ("es", "es-419", "es+f3", "es-419+m3")
MORE_VOICES = ("es+m1", "es-419+f2", "es+f4", "es-419+m5")
SNR_DB = 15.0
_OPTIONS = ("waiting_late", "return_later", "front_desk", "reschedule")


@dataclass(frozen=True)
class Answer:
    step: Step
    text: str
    meant: Intent | None
    """``None``: out of domain, nothing should be acted on."""
    split: str = "heldout"


ANSWERS = (
    Answer(Step.GREETING, "sí", Yes(), "tune"),
    Answer(Step.CONFIRM, "no", No(), "tune"),
    Answer(Step.GREETING, "en inglés", Language("en"), "tune"),
    Answer(Step.CONFIRM, "llame al personal", CallStaff(), "tune"),
    Answer(Step.DATE_OF_BIRTH, "doce de marzo de mil novecientos ochenta", DateOfBirth(date(1980, 3, 12)),
           "tune"),
    Answer(Step.DATE_OF_BIRTH, "el quince de mayo de mil novecientos setenta y ocho",
           DateOfBirth(date(1978, 5, 15)), "tune"),
    Answer(Step.GREETING, "no", No(), "tune"),
    Answer(Step.COMMON, "repita", Repeat(), "tune"),
    Answer(Step.COMMON, "hable más bajo", Volume(-1), "tune"),
    Answer(Step.GREETING, "registrarme", CheckIn(), "tune"),
    Answer(Step.OUTCOME, "espero", Choice("waiting_late"), "tune"),
    Answer(Step.OUTCOME, "otra cita", Choice("reschedule"), "tune"),
    Answer(Step.CONFIRM, "personal", CallStaff(), "tune"),
    Answer(Step.STILL_HERE, "aquí estoy", Yes(), "tune"),
    Answer(Step.GREETING, "buenas tardes", None, "tune"),
    Answer(Step.CONFIRM, "tengo hambre", None, "tune"),
    Answer(Step.OUTCOME, "no sé qué hacer", None, "tune"),
    Answer(Step.GREETING, "sí, por favor", Yes()),
    Answer(Step.GREETING, "quiero registrarme", CheckIn()),
    Answer(Step.GREETING, "no gracias", No()),
    Answer(Step.GREETING, "ayuda", Help()),
    Answer(Step.CONFIRM, "sí, soy yo", Yes()),
    Answer(Step.CONFIRM, "no, no soy yo", No()),
    Answer(Step.CONFIRM, "correcto", Yes()),
    Answer(Step.CONFIRM, "sí", Yes()),
    Answer(Step.COMMON, "repita por favor", Repeat()),
    Answer(Step.COMMON, "más alto", Volume(1)),
    Answer(Step.COMMON, "en inglés", Language("en")),
    Answer(Step.STILL_HERE, "sigo aquí", Yes()),
    Answer(Step.OUTCOME, "voy a esperar", Choice("waiting_late")),
    Answer(Step.OUTCOME, "vuelvo más tarde", Choice("return_later")),
    Answer(Step.GREETING, "¿dónde está el baño?", None),
    Answer(Step.CONFIRM, "quiero un café", None),
    Answer(Step.OUTCOME, "mi hijo está afuera", None),
    Answer(Step.DATE_OF_BIRTH, "tres de abril de mil novecientos ochenta y cinco",
           DateOfBirth(date(1985, 4, 3))),
    Answer(Step.DATE_OF_BIRTH, "el primero de junio de mil novecientos setenta",
           DateOfBirth(date(1970, 6, 1))),
    Answer(Step.DATE_OF_BIRTH, "veinticinco de diciembre de mil novecientos noventa",
           DateOfBirth(date(1990, 12, 25))),
    Answer(Step.DATE_OF_BIRTH, "ocho de agosto de dos mil uno", DateOfBirth(date(2001, 8, 8))),
    Answer(Step.DATE_OF_BIRTH, "dieciséis de septiembre de mil novecientos sesenta y cuatro",
           DateOfBirth(date(1964, 9, 16))),
)  # fmt: skip


def spoken(text: str, voice: str, folder: Path) -> Audio:
    wav = folder / "clip.wav"
    command = ["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text]
    subprocess.run(command, check=True, capture_output=True)
    return read_wav(wav).resampled(16000)


def in_room(audio: Audio, noisy: bool, seed: int) -> Audio:
    """0.4 s of quiet room either side; ``noisy``: white noise at ``SNR_DB`` under the speech."""
    clip = audio.samples.astype(np.float64)
    rng = np.random.default_rng(seed)
    pad = np.zeros(6400)
    mixed = np.concatenate([pad, clip, pad])
    level = float(np.sqrt(np.mean(clip**2))) if len(clip) else 0.0
    sigma = level / 10 ** (SNR_DB / 20) if noisy else 30.0
    mixed = mixed + rng.normal(0, sigma, len(mixed))
    return Audio(np.clip(mixed, -32768, 32767).astype(np.int16), 16000)


class _Clip:
    rate = 16000

    def __init__(self, audio: Audio) -> None:
        self.audio = audio

    def frames(self):  # type: ignore[no-untyped-def]
        yield from self.audio.chunks(30)
        silence = np.zeros(480, np.int16)
        for _ in range(40):
            yield silence

    def close(self) -> None:
        pass


def run(model: Path, voices: tuple[str, ...], split: str = "heldout") -> dict[str, object]:
    from speech.whisper_es import SpanishWhisper

    recognizer = SpanishWhisper(model, threads=2)
    listener = Listener(recognizer, config=ListenConfig(timeout_s=12.0))
    right = wrong = total = domain = 0
    leads: list[tuple[float | None, bool, str, str]] = []
    replies: list[float] = []
    by_step: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (voice, answer, noisy) in enumerate(
            (v, a, x) for v in voices for a in ANSWERS if a.split == split for x in (False, True)
        ):
            audio = in_room(spoken(answer.text, voice, Path(tmp)), noisy, n)
            dobs = [answer.meant.value, date(1975, 2, 14)] if isinstance(answer.meant, DateOfBirth) else []
            grammar = build_grammar(answer.step, (), (), "es", TODAY, dobs=dobs, options=_OPTIONS)
            started = time.monotonic()
            heard = listener.listen(_Clip(audio), grammar, TODAY)
            # the listen ends 40 silent frames after the speech: what the reply waits for is the decode
            replies.append((time.monotonic() - started) * 1000)
            total += 1
            domain += answer.meant is not None
            tally = by_step.setdefault(answer.step.value, [0, 0, 0])
            tally[2] += 1
            if heard.intent is not None and heard.intent == answer.meant:
                right += 1
                tally[0] += 1
            elif heard.intent is not None:
                wrong += 1
                tally[1] += 1
            leads.append((heard.evidence.confidence, heard.guess == answer.meant, heard.via, answer.text))
    recognizer.close()
    if split == "tune":  # the closed set's lead against whether its guess was right
        return {"leads": sorted(leads, key=lambda x: -1e9 if x[0] is None else x[0])}
    return {
        "voice_es_understood": round(right / domain, 3),
        "voice_es_wrong_action_rate": round(wrong / total, 4),
        "voice_es_reply_ms": round(percentiles(replies)["p50"]),
        "voice_es_reply_ms_p99": round(percentiles(replies)["p99"]),
        "voice_es_answers": total,
        "voice_es_out_of_domain": total - domain,
        "voice_es_by_step": {
            k: {"right": v[0], "wrong": v[1], "of": v[2]} for k, v in sorted(by_step.items())
        },
        "voice_es_voices": list(voices),
        "voice_es_base_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def run_bench(quick: bool = False) -> dict[str, object]:
    from devtools.whisper_model import base_model

    full = os.environ.get(FULL_ENV) == "1"
    voices = VOICES + MORE_VOICES if full else VOICES[:2] if quick else VOICES
    out = run(base_model(), voices)
    if full:  # base against tiny.en as the English open ear, on the English corpus's held-out slice
        from devtools.bench_voice import _corpus

        folder = _corpus(quick=False, full=False)
        out["voice_en_base_vs_tiny"] = {m: english_comparison(folder, m) for m in ("tiny.en", "base")}
    return out


__all__ = ["ANSWERS", "run", "run_bench"]


def english_comparison(folder: Path, model: str, every: int = 8) -> dict[str, object]:
    """Whisper ``model`` ("tiny.en" or "base") as the English open ear on the English corpus's
    held-out slice (every ``every``-th clip of each room), the grammar pass and agreement as the
    kiosk runs them: accuracy, wrong actions, time per answer, real-time factor, peak memory."""
    from devtools import bench_whisper
    from devtools.voice_corpus.manifest import load_manifest, wav_path
    from devtools.whisper_model import tiny_en_model
    from speech.audio import read_wav as read
    from speech.denoise import Denoiser

    clips = bench_whisper.sliced([c for c in load_manifest(folder) if c.split == "heldout"], every)
    path = tiny_en_model() if model == "tiny.en" else _base()
    before = resource.getrusage(resource.RUSAGE_SELF)
    outcomes = bench_whisper.hear(((c, wav_path(folder, c)) for c in clips), path, Denoiser())
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    seconds = [o.seconds for o in outcomes]
    audio = [read(wav_path(folder, o.clip)).seconds for o in outcomes]
    return {
        "model": model,
        **bench_whisper.figures(outcomes),
        "answer_ms_p50": round(percentiles([s * 1000 for s in seconds])["p50"]),
        "rtf": round(sum(seconds) / sum(audio), 3),
        "cpu_ms_per_answer": round(cpu_s * 1000 / max(1, len(outcomes))),
        "cpu_rtf": round(cpu_s / sum(audio), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "clips": len(outcomes),
    }


def _base() -> Path:
    from devtools.whisper_model import base_model

    return base_model()
