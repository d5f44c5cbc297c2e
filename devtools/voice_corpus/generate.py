"""Write the corpus: synthesize each rendering once, degrade it per condition, WAVs + manifest.

Renderings run on a process pool (two workers by default: the machine has two cores);
the babble pools (chatter lines in each split's own voices) are synthesized first and
handed to every worker. A synthesizer that is not installed is skipped with its reason;
one utterance that fails is counted and reported, never a crash. The same seed and the
same installed synthesizers give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import SpeechError
from devtools.voice_corpus import degrade, sounds
from devtools.voice_corpus.degrade import Signal
from devtools.voice_corpus.manifest import MANIFEST_NAME, Clip, ManifestError, load_manifest, write_manifest
from devtools.voice_corpus.plan import Render, plan
from devtools.voice_corpus.synth import Voice, available_voices, backend
from devtools.voice_corpus.wordings import BABBLE, TODAY, name_shortlist, schedule, wordings
from speech.audio import Audio, Samples, write_wav
from speech.intents import Step

SPEECH_LEVEL_DBFS = (-26.0, -18.0)  # each rendering's level, drawn in this range
BABBLE_LINES = {True: 6, False: len(BABBLE)}  # quick: fewer lines in each pool
STAMP_NAME = "corpus.json"


@dataclass
class Result:
    """What a run wrote and what it could not."""

    clips: list[Clip] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # synthesizers or voices not installed
    failures: list[str] = field(default_factory=list)  # one utterance each, with the reason
    seconds: float = 0.0
    bytes: int = 0

    def counts(self, key: str) -> dict[str, int]:
        return dict(sorted(Counter(str(getattr(c, key)) for c in self.clips).items()))


def seed_for(seed: int, *parts: object) -> np.random.Generator:
    """A generator seeded by ``seed`` and ``parts`` (stable across runs and processes)."""
    digest = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _speak(voice: Voice, text: str, rate: int) -> Signal:
    return backend(voice.synth).synthesize(text, voice.voice, rate).samples.astype(np.float64)


def _source(r: Render) -> tuple[Signal, float]:
    """The rendering's dry signal and the level to place it at."""
    w = r.wording
    rng = seed_for(0, "level", r.number)
    if w.kind == "speech":
        return _speak(r.voice, w.spoken, r.rate), float(rng.uniform(*SPEECH_LEVEL_DBFS))
    if w.kind == "two_talkers":
        first, second = w.text.split(" / ")
        a = degrade.active_mask(x := _speak(r.voice, first, r.rate))
        y = _speak(r.partner or r.voice, second, r.rate)
        lag = int(rng.uniform(0.0, 0.5) * degrade.RATE_HZ)  # the second starts a little later
        both = np.zeros(max(len(x), len(y) + lag))
        both[: len(x)] += x / np.sqrt(max(degrade.power(x, a), 1e-9))
        b = degrade.active_mask(y)
        gain = 10 ** (rng.uniform(-3, 3) / 20) / np.sqrt(max(degrade.power(y, b), 1e-9))
        both[lag : lag + len(y)] += y * gain
        return both, float(rng.uniform(*SPEECH_LEVEL_DBFS))
    variant = int(w.say.partition("#")[2] or 0)
    return sounds.make(w.kind, variant, seed_for(0, "sound", w.say, r.number)), sounds.LEVEL_DBFS[w.kind]


_POOLS: dict[str, list[Signal]] = {}


def _init(pools: dict[str, list[Signal]]) -> None:
    _POOLS.clear()
    _POOLS.update(pools)


@dataclass(frozen=True)
class Job:
    render: Render
    out: str
    seed: int
    today: str
    dobs: tuple[str, ...]
    names: tuple[str, ...]


def render_clips(job: Job) -> tuple[list[Clip], list[str], int]:
    """One rendering -> its clips (WAVs written under ``job.out``), failures, bytes written."""
    r = job.render
    try:
        dry, level = _source(r)
    except SpeechError as exc:
        return [], [f"{r.voice.synth} {r.voice.voice} clip {r.number}: {exc}"], 0
    placed = degrade.place(dry, seed_for(job.seed, "place", r.number), level)
    placed += degrade.room_floor(len(placed), seed_for(job.seed, "floor", r.number))
    clips, size = [], 0
    for condition in r.conditions:
        rng = seed_for(job.seed, "condition", r.number, condition)
        out, snr = degrade.degrade(condition, placed, rng, _POOLS.get(r.split, []))
        rel = f"{r.split}/{r.voice.synth}/{r.number:05d}-{condition}.wav"
        path = Path(job.out) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, degrade.to_samples(out))
        size += path.stat().st_size
        clips.append(_clip(job, rel, condition, snr))
    return clips, [], size


def _write(path: Path, samples: Samples) -> None:
    write_wav(path, Audio(samples, degrade.RATE_HZ))


def _clip(job: Job, rel: str, condition: str, snr: float | None) -> Clip:
    r, w = job.render, job.render.wording
    voice = r.voice.voice if r.partner is None else f"{r.voice.voice}+{r.partner.synth}:{r.partner.voice}"
    synthetic = w.kind in sounds.LEVEL_DBFS
    names = job.names
    if w.step is Step.CHOOSE_NAME:
        names = name_shortlist(job.names, w, job.seed * 100_003 + r.number)
    return Clip(
        wav=rel, text=w.text, step=w.step.value, intent=w.intent,
        synth="none" if synthetic else r.voice.synth, voice=w.kind if synthetic else voice,
        rate=r.rate, condition=condition, snr_db=snr, split=r.split, today=job.today,
        dobs=job.dobs if w.step.value == "date_of_birth" else (), names=names,
        dob_booked=w.dob_booked, out_of_domain=w.out_of_domain,
    )  # fmt: skip


def _babble_pools(voices: list[Voice], quick: bool) -> tuple[dict[str, list[Signal]], list[str]]:
    pools: dict[str, list[Signal]] = {"tune": [], "heldout": []}
    failures = []
    for split, pool in pools.items():
        mine = [v for v in voices if v.heldout == (split == "heldout")]
        for i, line in enumerate(BABBLE[: BABBLE_LINES[quick]] if mine else []):
            try:
                pool.append(_speak(mine[i % len(mine)], line, 165))
            except SpeechError as exc:
                failures.append(f"babble line {i}: {exc}")
    return pools, failures


def generate(
    out: str | Path,
    *,
    quick: bool = False,
    split: str = "all",
    seed: int = 13,
    jobs: int = 2,
    synths: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Write the corpus under ``out`` and its ``manifest.jsonl``.

    ``out`` must be new, empty or an earlier corpus (which is replaced): a ``SpeechError`` otherwise.
    """
    started = time.monotonic()
    folder = Path(out)
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MANIFEST_NAME).exists():  # never empty a folder that is not a corpus
            raise SpeechError(f"{folder}: not empty and holds no {MANIFEST_NAME}; choose another --out")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    voices, skipped = available_voices(tuple(synths))
    renders = [r for r in plan(wordings(seed), voices, quick) if split in ("all", r.split)]
    dobs, names = schedule()
    day = (TODAY.isoformat(), tuple(d.isoformat() for d in dobs), names)
    work = [Job(r, str(folder), seed, *day) for r in renders]
    pools, failures = _babble_pools(voices, quick)
    result = Result(skipped=skipped, failures=failures)
    if jobs <= 1:
        _init(pools)
        outputs = map(render_clips, work)
        _collect(result, outputs, len(work), progress)
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init, initargs=(pools,)) as ex:
            _collect(result, ex.map(render_clips, work, chunksize=8), len(work), progress)
    write_manifest(folder / MANIFEST_NAME, result.clips)
    result.seconds = time.monotonic() - started
    if not result.failures:  # a partial corpus is never reused
        stamp = _stamp(quick, split, seed, voices)
        (folder / STAMP_NAME).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
    return result


def _stamp(quick: bool, split: str, seed: int, voices: list[Voice]) -> dict[str, object]:
    """What a corpus on disk was made from: the generator's own source and the voices installed."""
    source = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        source.update(module.read_bytes())
    return {"quick": quick, "split": split, "seed": seed, "source": source.hexdigest(),
            "voices": [f"{v.synth}:{v.voice}" for v in voices]}  # fmt: skip


def ensure(
    out: str | Path, *, quick: bool = False, split: str = "all", seed: int = 13, jobs: int = 2
) -> tuple[list[Clip], bool]:
    """The corpus under ``out``, made only when what is there was made otherwise (or is partial).

    Returns the clips and whether they were generated now. ``make bench`` calls this, so a
    second run reuses the 430 MB written by the first (about four minutes on two cores).
    """
    folder = Path(out)
    voices, _ = available_voices()
    try:
        found = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = None
    if found == _stamp(quick, split, seed, voices):
        try:
            return load_manifest(folder), False
        except ManifestError:
            pass  # damaged since: made again below
    return generate(folder, quick=quick, split=split, seed=seed, jobs=jobs).clips, True


def _collect(
    result: Result,
    outputs: Iterable[tuple[list[Clip], list[str], int]],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    for done, (clips, failures, size) in enumerate(outputs, 1):
        result.clips += clips
        result.failures += failures
        result.bytes += size
        if progress is not None:
            progress(done, total)
