"""No waiting to speak: sentence by sentence, from the cache when it can, the first words of
a new turn first; the fixed prompts kept on disk per voice, the day's names in memory."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date, time
from pathlib import Path

import numpy as np
import pytest

from speech.audio import Audio
from speech.prompt_cache import PromptCache
from speech.sayable import (
    FIRST_PIECE_WORDS,
    Booking,
    day_bookings,
    day_sentences,
    first_piece,
    fixed_sentences,
    split_sentences,
)
from speech.synth_process import PiperSynthesizer
from speech.tts import HalfDuplex, MemorySink, Route, Speaker
from speech.voices import packaged_voice


class _Counting:
    """A synthesizer behind the real interface: a tone whose length follows the text; it
    counts what it was asked and can hold a piece until the test lets it go."""

    engine = "tone"

    def __init__(self, hold: str = "") -> None:
        self.asked: list[str] = []
        self.hold = hold
        self.holding = threading.Event()
        self.release = threading.Event()

    def synthesize(self, text: str, voice: str, rate_wpm: int) -> Audio:
        self.asked.append(text)
        if self.hold and self.hold == text:
            self.holding.set()
            assert self.release.wait(10)
        n = 1600 * max(1, len(text.split()))
        return Audio((3000 * np.sin(np.arange(n) * 0.3)).astype(np.int16), 16000)

    def stream(self, texts: Sequence[str], voice: str, rate_wpm: int) -> Iterator[Audio]:
        for text in texts:
            yield self.synthesize(text, voice, rate_wpm)

    def close(self) -> None:
        pass


def _speaker(
    synth: _Counting, sink: MemorySink, cache: PromptCache | None = None, tag: str = "v1"
) -> Speaker:
    route = Route(synth, "voice", f"tone:voice:{tag}")
    return Speaker(synth, sink, HalfDuplex(), routes={"en": route, "es": route}, cache=cache)


# --- pure -----------------------------------------------------------------------------------


def test_a_turn_splits_into_its_sentences() -> None:
    said = "Doctor Chen is running about twenty minutes late; your new estimated time is nine fifty. Okay?"
    assert split_sentences(said) == (
        "Doctor Chen is running about twenty minutes late;",
        "your new estimated time is nine fifty.",
        "Okay?",
    )
    assert split_sentences("  ") == ()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_first_pieces_are_short_and_never_end_on_a_leaning_word(lang: str) -> None:
    for sentence in fixed_sentences(lang) + tuple(_day(lang)):
        pieces = first_piece(sentence)
        assert " ".join(pieces) == sentence
        if len(pieces) == 2:
            assert len(pieces[0].split()) <= FIRST_PIECE_WORDS + 1
            assert pieces[0].split()[-1].lower().strip(",") not in {"a", "an", "the", "to", "your", "will"}


def test_fixed_sentences_name_no_one_and_day_sentences_only_first_names() -> None:
    for lang in ("en", "es"):
        fixed = fixed_sentences(lang)
        assert len(fixed) > 25 and not any("{" in s for s in fixed)
    day = _day("en")
    assert "Is this Maria, at nine thirty with Doctor Martinez?" in day
    assert not any("Garcia" in s for s in day)  # last names are never said


def _day(lang: str) -> tuple[str, ...]:
    bookings = [
        Booking("Maria Elena", time(9, 30), "Dr. Ana Martinez"),
        Booking("James", time(10, 0), "Dr. Wei Chen"),
    ]
    return day_sentences(bookings, ["Dr. Ana Martinez", "Dr. Wei Chen"], lang)


class _Provider:
    def __init__(self, pid: str, name: str) -> None:
        self.id, self.name = pid, name


class _Appt:
    def __init__(self, start: str, first: str, state: str = "booked") -> None:
        self.start, self.first_name, self.last_name, self.state = start, first, "Garcia", state


class _Source:
    def providers(self) -> list[_Provider]:
        return [_Provider("mar", "Dr. Ana Martinez")]

    def appointments_for(self, provider_id: str) -> list[_Appt]:
        return [
            _Appt("2025-06-02T09:30", "Maria"),
            _Appt("2025-06-02T09:45", "Gone", "cancelled"),
            _Appt("2025-06-03T08:00", "Tomorrow"),
            _Appt("2025-06-02Tbad", "Broken"),
        ]


def test_day_bookings_are_todays_and_kept() -> None:
    bookings, providers = day_bookings(_Source(), date(2025, 6, 2))
    assert bookings == (Booking("Maria", time(9, 30), "Dr. Ana Martinez"),)
    assert providers == ("Dr. Ana Martinez",)


# --- the speaker ------------------------------------------------------------------------------


def test_the_first_piece_plays_before_the_rest_is_rendered() -> None:
    rest = "about twenty minutes late;"
    synth = _Counting(hold=rest)
    sink = MemorySink()
    speaker = _speaker(synth, sink)
    try:
        speaker.say("Doctor Martinez is running about twenty minutes late;")
        assert synth.holding.wait(10)
        # the rest is still being rendered, and the first words have already been played
        assert [len(a.samples) for a in sink.pieces] == [1600 * 4]
        synth.release.set()
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    assert synth.asked == ["Doctor Martinez is running", rest]
    assert len(sink.played) == 1  # one turn


def test_cached_sentences_are_not_rendered_again_and_a_new_voice_renders_anew(tmp_path: Path) -> None:
    synth = _Counting()
    sink = MemorySink()
    cache = PromptCache(tmp_path / "cache")
    speaker = _speaker(synth, sink, cache)
    try:
        speaker.prerender(fixed_sentences("en"), "en", persist=True)
        assert speaker.prerendered(30)
        rendered = len(synth.asked)
        speaker.say("Sorry, I didn't catch that. Please say it again.")
        speaker.say("Is this Maria, at nine thirty with Doctor Martinez? Please have a seat.")
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    # the fixed sentences came from the cache; only the one naming Maria was rendered, in two pieces
    assert synth.asked[rendered:] == ["Is this Maria,", "at nine thirty with Doctor Martinez?"]
    on_disk = list((tmp_path / "cache").rglob("*.wav"))
    assert len(on_disk) == rendered  # fixed prompts only: nothing naming a patient is on disk

    again = _Counting()  # a restart: the same voice finds its renderings on disk
    speaker = _speaker(again, MemorySink(), PromptCache(tmp_path / "cache"))
    try:
        speaker.say("Please see the front desk.")
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    assert again.asked == []

    changed = _Counting()  # the voice file changed: its identity did, nothing old is played
    cache = PromptCache(tmp_path / "cache")
    cache.prune({"tone:voice:v2"})
    speaker = _speaker(changed, MemorySink(), cache, tag="v2")
    try:
        speaker.say("Please see the front desk.")
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    assert changed.asked == ["Please see the front desk."]
    assert not list((tmp_path / "cache").rglob("*.wav"))  # v1 pruned; a live turn is never written


def test_the_days_sentences_are_rendered_when_the_day_arrives() -> None:
    synth = _Counting()
    sink = MemorySink()
    speaker = _speaker(synth, sink)
    try:
        day = _day("en")
        speaker.prerender_from(lambda: [(s, "en") for s in day])
        assert speaker.prerendered(30)
        assert set(synth.asked) == set(day)
        before = len(synth.asked)
        speaker.say("Is this Maria, at nine thirty with Doctor Martinez?")
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    assert len(synth.asked) == before


def test_a_torn_cache_file_is_rendered_again(tmp_path: Path) -> None:
    synth = _Counting()
    cache = PromptCache(tmp_path)
    speaker = _speaker(synth, MemorySink(), cache)
    try:
        speaker.render("Please have a seat.", persist=True)
        (wav,) = tmp_path.rglob("*.wav")
        wav.write_bytes(b"RIFF")
        cache.forget_memory()
        speaker.render("Please have a seat.", persist=True)
    finally:
        speaker.close()
    assert synth.asked == ["Please have a seat."] * 2


def test_real_piper_streams_a_new_turn_and_plays_a_cached_one_at_once() -> None:
    synth = PiperSynthesizer()
    voice = str(packaged_voice().model)
    sink = MemorySink()
    speaker = Speaker(synth, sink, HalfDuplex(), routes={"en": Route(synth, voice, "piper:test")})
    try:
        speaker.render("Please have a seat.")
        speaker.say(
            "Doctor Chen is running about twenty minutes late; your new estimated time is nine fifty."
        )
        speaker.say("Please have a seat.")
        assert speaker.wait_idle(60)
    finally:
        speaker.close()
        synth.close()
    assert not speaker.errors
    first, cached = sink.played
    assert len(sink.pieces) == 4  # "Doctor Chen is running" | "about ... late;" | "your new ..." | cached
    assert sink.pieces[0].seconds < 2.0 < first.seconds
    assert cached.seconds > 0.5 and all(p.rate == 22050 for p in sink.pieces)
