"""The voice corpus generator: deterministic, the SNR it claims, the phone band, the split,
every installed synthesizer audible, and the WAVs in the format the kiosk's recognizer takes."""

from __future__ import annotations

import hashlib
import json
import wave
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from core.errors import SpeechError
from devtools.voice_corpus import generate as gen
from devtools.voice_corpus.degrade import CONDITIONS, DEGRADED, measure_snr, phone, room_floor
from devtools.voice_corpus.manifest import (
    MANIFEST_NAME,
    Clip,
    grammar_for,
    intent_from_label,
    load_manifest,
    wav_path,
    write_manifest,
)
from devtools.voice_corpus.plan import Render, assign_splits, plan, wording_key
from devtools.voice_corpus.spoken_dates import FORM_COUNT, say_date
from devtools.voice_corpus.synth import BACKENDS, Backend, Voice, available_voices
from devtools.voice_corpus.wordings import SHORTLIST, TODAY, Wording, name_shortlist, schedule, wordings
from speech.audio import read_wav, rms_dbfs
from speech.dates import parse_spoken_date
from speech.intents import Step

ESPEAK = next(b for b in BACKENDS if b.name == "espeak-ng")


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gen.Result]:
    if ESPEAK.missing():
        pytest.skip(ESPEAK.missing())
    out = tmp_path_factory.mktemp("voice-corpus") / "quick"
    result = gen.generate(out, quick=True, jobs=2)
    print(f"quick corpus: {len(result.clips)} clips in {result.seconds:.1f} s, {result.bytes / 1e6:.1f} MB")
    return out, result


def _hashes(folder: Path, clips: list[Clip]) -> dict[str, str]:
    return {c.wav: hashlib.sha256(wav_path(folder, c).read_bytes()).hexdigest() for c in clips}


def test_the_quick_corpus_is_the_same_bytes_for_the_same_seed(
    quick: tuple[Path, gen.Result], tmp_path: Path
) -> None:
    """Again, held-out part only and in one process: the same WAVs, the same manifest lines."""
    folder, result = quick
    assert not result.failures
    assert 50 <= len(result.clips) <= 120
    again = gen.generate(tmp_path / "again", quick=True, split="heldout", jobs=1)
    first = [c for c in load_manifest(folder) if c.split == "heldout"]
    assert again.clips == first
    assert _hashes(tmp_path / "again", again.clips) == _hashes(folder, first)


def test_the_manifest_round_trips_and_every_wav_is_16k_mono_int16(
    quick: tuple[Path, gen.Result], tmp_path: Path
) -> None:
    folder, result = quick
    clips = load_manifest(folder / MANIFEST_NAME)
    assert clips == result.clips
    write_manifest(tmp_path / MANIFEST_NAME, clips)
    assert load_manifest(tmp_path) == clips
    keys = set(json.loads((folder / MANIFEST_NAME).read_text().splitlines()[0]))
    assert keys == {"wav", "text", "step", "intent", "synth", "voice", "rate", "condition", "snr_db",
                    "split", "today", "dobs", "names", "dob_booked", "out_of_domain"}  # fmt: skip
    for clip in clips:
        with wave.open(str(wav_path(folder, clip)), "rb") as wf:
            assert (wf.getframerate(), wf.getnchannels(), wf.getsampwidth()) == (16000, 1, 2), clip.wav
        assert (clip.step == "date_of_birth") == bool(clip.dobs)
        assert clip.out_of_domain == (clip.expected is None)
        assert (clip.snr_db is None) == (clip.condition in ("clean", "phone", "reverb"))
    assert {c.condition for c in clips} == set(CONDITIONS)
    assert {c.split for c in clips} == {"tune", "heldout"}
    assert {c.step for c in clips} == {s.value for s in Step}
    reused, made = gen.ensure(folder, quick=True)  # what make bench calls: nothing to redo
    assert not made and reused == clips


def _render(text: str, step: Step, label: str, conditions: tuple[str, ...], voice: str = "en-us") -> Render:
    return Render(7, Wording(text, step, label), Voice("espeak-ng", voice), 165, "tune", conditions)


def _job(render: Render, out: Path) -> gen.Job:
    dobs, names = schedule()
    return gen.Job(render, str(out), 13, TODAY.isoformat(), tuple(d.isoformat() for d in dobs), names)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Clip]]:
    """One espeak-ng rendering under every condition (babble from a small pool of its own)."""
    if ESPEAK.missing():
        pytest.skip(ESPEAK.missing())
    out = tmp_path_factory.mktemp("voice-mixed")
    pools, failures = gen._babble_pools([Voice("espeak-ng", "en-gb"), Voice("espeak-ng", "en-us+f3")], True)
    assert not failures
    gen._init(pools)
    render = _render("i'm here to check in for my appointment", Step.GREETING, "check_in", CONDITIONS)
    clips, failures, _ = gen.render_clips(_job(render, out))
    assert not failures
    return out, clips


def test_a_mixed_clip_measures_back_within_one_db_of_its_snr(mixed: tuple[Path, list[Clip]]) -> None:
    folder, clips = mixed
    clean = read_wav(folder / next(c.wav for c in clips if c.condition == "clean")).samples
    noisy = [c for c in clips if c.snr_db is not None]
    assert len(noisy) == 9
    for clip in noisy:
        measured = measure_snr(clean, read_wav(folder / clip.wav).samples)
        assert clip.snr_db is not None
        assert abs(measured - clip.snr_db) <= 1.0, (clip.condition, measured)


def test_a_phone_band_clip_has_no_energy_above_4_khz(mixed: tuple[Path, list[Clip]]) -> None:
    folder, clips = mixed
    for name in ("phone", "clean"):
        samples = read_wav(folder / next(c.wav for c in clips if c.condition == name)).samples
        spectrum = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
        freqs = np.fft.rfftfreq(len(samples), 1 / 16000)
        above = float(spectrum[freqs > 4000].sum() / spectrum.sum())
        if name == "phone":
            assert above < 1e-5, above
            assert float(spectrum[freqs < 250].sum() / spectrum.sum()) < 1e-3
        else:
            assert above > 1e-3, "espeak-ng's clean speech reaches above 4 kHz, or the test proves nothing"
    noise = room_floor(16000, np.random.default_rng(1)) * 1000
    spectrum = np.abs(np.fft.rfft(phone(noise))) ** 2
    assert spectrum[np.fft.rfftfreq(16000, 1 / 16000) > 4000].sum() / spectrum.sum() < 1e-5


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_each_installed_synthesizer_speaks_in_every_voice(backend: Backend) -> None:
    if backend.missing():
        pytest.skip(backend.missing())
    for voice in backend.voices:
        if backend.voice_missing(voice):
            continue
        for rate in (135, 195):
            audio = backend.synthesize("yes that's me", voice, rate)
            assert audio.rate == 16000
            assert 0.3 < audio.seconds < 3.0, (voice, rate, audio.seconds)
            assert rms_dbfs(audio.samples) > -40, (voice, rate)


def test_a_missing_synthesizer_is_skipped_with_its_reason() -> None:
    ghost = Backend("ghost", "no-such-synthesizer-here", ("a",), "a", ("ghost-tts",))
    assert ghost.missing() == "ghost: `no-such-synthesizer-here` is not installed (apt-get install ghost-tts)"
    voices, skipped = available_voices(("no-such-name",))
    assert voices == [] and skipped == []


def test_it_never_empties_a_folder_that_is_not_a_corpus(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(SpeechError, match=r"not empty and holds no manifest\.jsonl"):
        gen.generate(tmp_path, quick=True, synths=("espeak-ng",))
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def _all_voices() -> list[Voice]:
    return [v for b in BACKENDS for v in b.voice_list()]


def test_the_split_never_shares_a_wording_or_a_voice() -> None:
    """On the full plan (all voices, installed or not): a wording is tune or held out,
    held-out wordings are spoken by held-out voices only, and each intent has both."""
    words = wordings()
    renders = plan(words, _all_voices())
    splits: dict[str, set[str]] = defaultdict(set)
    by_label: dict[str, set[str]] = defaultdict(set)
    for r in renders:
        splits[wording_key(r.wording)].add(r.split)
        by_label[r.wording.intent.partition(":")[0]].add(r.split)
        assert r.voice.heldout == (r.split == "heldout"), r
    assert all(len(s) == 1 for s in splits.values())
    assert all(s == {"tune", "heldout"} for s in by_label.values()), by_label
    assert set(assign_splits(words).values()) == {"tune", "heldout"}
    heldout = sum(1 for s in assign_splits(words).values() if s == "heldout") / len(splits)
    assert 0.3 < heldout < 0.5
    conditions = {c for r in renders for c in r.conditions}
    assert conditions == set(CONDITIONS) and len(DEGRADED) == 11
    assert 3000 <= sum(len(r.conditions) for r in renders) <= 6000


def test_the_quick_slice_keeps_its_split_apart(quick: tuple[Path, gen.Result]) -> None:
    texts: dict[str, set[str]] = defaultdict(set)
    for c in quick[1].clips:
        texts[c.text or c.voice + c.wav].add(c.split)
    assert all(len(s) == 1 for s in texts.values())
    assert {c.synth for c in quick[1].clips} >= {"espeak-ng", "none"}


def test_every_wording_has_a_label_the_flow_knows_and_dates_say_what_they_mean() -> None:
    dobs, names = schedule()
    words = wordings()
    assert len(words) >= 350
    for w in words:
        assert (intent_from_label(w.intent) is None) == w.out_of_domain, w
        if w.intent.startswith("dob:"):
            booked = date.fromisoformat(w.intent[4:]) in dobs
            assert booked == w.dob_booked, w
        if w.intent.startswith("name:"):
            assert w.intent[5:] in names
    per_intent: dict[str, int] = defaultdict(int)
    for w in words:
        per_intent[w.intent] += 1
    for label in ("yes", "no", "check_in", "call_staff", "help", "language:es", "language:en"):
        assert per_intent[label] >= 15 or label.startswith("language"), (label, per_intent[label])
    for form in range(FORM_COUNT):  # the forms the date parser reads (two-digit "oh" years aside)
        spoken = say_date(date(1982, 3, 4), form)
        assert parse_spoken_date(spoken, TODAY) == date(1982, 3, 4), spoken


def test_the_first_name_step_offers_a_shortlist_holding_the_spoken_name(
    quick: tuple[Path, gen.Result],
) -> None:
    """The kiosk asks for a first name only among the patients sharing a birth date, so the
    corpus's name clips offer a few of the day's names, the spoken one among them."""
    _dobs, names = schedule()
    for w in (w for w in wordings() if w.step is Step.CHOOSE_NAME):
        for seed in range(5):
            offered = name_shortlist(names, w, seed)
            assert len(offered) == SHORTLIST and set(offered) <= set(names), (w, offered)
            assert not w.intent.startswith("name:") or w.intent[5:] in offered, (w, offered)
    steps = {c.step: c.names for c in quick[1].clips}
    assert len(steps.get("choose_name", names)) == SHORTLIST and len(steps["greeting"]) == len(names)


def test_clean_espeak_clips_are_heard_by_the_kiosks_recognizer(tmp_path: Path) -> None:
    """A handful through the real pocketsphinx Listener: the corpus's audio is the format it takes."""
    if ESPEAK.missing():
        pytest.skip(ESPEAK.missing())
    from speech.listener import Listener, WavSource
    from speech.pocketsphinx_engine import PocketsphinxRecognizer

    dobs, _names = schedule()
    cases = [
        ("yes please", Step.GREETING, "yes"),
        ("i'm here to check in", Step.GREETING, "check_in"),
        ("call staff", Step.CONFIRM, "call_staff"),
        (say_date(dobs[3], 0), Step.DATE_OF_BIRTH, f"dob:{dobs[3]}"),
        ("come back later", Step.OUTCOME, "choice:return_later"),
    ]
    listener = Listener(PocketsphinxRecognizer())
    hits = []
    for n, (text, step, label) in enumerate(cases):
        render = Render(n, Wording(text, step, label), Voice("espeak-ng", "en-us"), 150, "tune", ("clean",))
        (clip,), failures, _ = gen.render_clips(_job(render, tmp_path))
        assert not failures
        heard = listener.listen(WavSource(tmp_path / clip.wav), grammar_for(clip), TODAY)
        hits.append(heard.intent == clip.expected)
        print(f"{text!r} -> {heard.text!r} ({heard.status})")
    assert sum(hits) >= len(cases) - 1, hits


def test_lobby_sounds_are_finite_for_any_seed() -> None:
    """sin(pi) rounds just below zero, and a negative base to a fractional power is NaN:
    a throat clearing once carried a garbage sample into its clip."""
    import numpy as np

    from devtools.voice_corpus.sounds import cough, throat

    for seed in range(100):
        for make in (cough, throat):
            assert np.isfinite(np.asarray(make(np.random.default_rng(seed)), dtype=float)).all()


def test_the_bench_acts_as_the_kiosk_would_on_a_slice_of_the_corpus(quick: tuple[Path, gen.Result]) -> None:
    """The bench decodes once with every bar open and replays the decision; on a slice of the
    quick corpus (the full one runs in ``make bench``) the replay must act exactly as the
    kiosk's own listener does, clip by clip, and report the issue's figures."""
    from devtools.bench_voice import figures, hear_in_rooms
    from speech.confidence import DEFAULT_THRESHOLDS, OPEN_PASS_BARS
    from speech.denoise import Denoiser
    from speech.listener import ListenConfig, Listener, WavSource
    from speech.pocketsphinx_engine import PocketsphinxRecognizer

    folder, result = quick
    clips = sorted((c for c in result.clips if c.split == "heldout"), key=lambda c: c.condition)[::3]
    outcomes = hear_in_rooms(((c, wav_path(folder, c)) for c in clips), PocketsphinxRecognizer, Denoiser())
    assert [o.clip for o in outcomes] == clips
    kiosk: list[object] = []
    room, listener = "", None
    for o in outcomes:  # one recognizer per room, as the bench
        if listener is None or o.clip.condition != room:
            config = ListenConfig(denoiser=Denoiser())
            room, listener = o.clip.condition, Listener(PocketsphinxRecognizer(), config=config)
        assert o.grammar is not None
        kiosk.append(listener.listen(WavSource(wav_path(folder, o.clip)), o.grammar, o.clip.day).intent)
    replayed = [o.acted(DEFAULT_THRESHOLDS, OPEN_PASS_BARS) for o in outcomes]
    assert replayed == kiosk
    got = figures(outcomes)
    accuracy, wrong = got["voice_accuracy"], got["voice_wrong_action_rate"]
    assert isinstance(accuracy, dict) and isinstance(wrong, dict)
    conditions = {"clean", "phone", "noise_20db", "noise_10db", "noise_5db"}
    assert set(accuracy) == conditions | {"dob_booked", "dob_unbooked"}
    assert set(wrong) == {"clean", "noise_10db", "out_of_domain"}
    assert all(v is None or 0.0 <= v <= 1.0 for v in [*accuracy.values(), *wrong.values()])
