"""What the kiosk can say, as sentences: the unit the speaker renders, caches and streams.

Pure. ``split_sentences`` cuts a turn into the sentences it is made of, so a turn that
joins a live sentence ("Doctor Chen is running about twenty minutes late; ...") to a fixed
one ("Would you like to wait, or leave and come back?") plays the fixed one from the
cache. ``fixed_sentences`` are every sentence with no patient or day in it (rendered once
per voice); ``day_sentences`` those that name the day's patients (first name only) and
providers (rendered when the day arrives, kept in memory only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING

from speech.phrases import PROMPTS, confirm_prompt, say_provider
from speech.script import text, text_keys

if TYPE_CHECKING:
    from speech.dialog import ScheduleSource

_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+")
_CLAUSE_END = re.compile(r"(?<=,)\s+")
FIRST_PIECE_WORDS = 4
"""The first audio of a turn nobody has heard yet is at most about this many words (its first
clause when that is short, else its first words): Piper renders a whole piece before any of
it plays, at ~0.1 s per second of speech on an idle 2-core box, and the goal is 250 ms."""
_WEAK = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "for",
        "of",
        "at",
        "with",
        "your",
        "my",
        "our",
        "is",
        "are",
        "was",
        "and",
        "or",
        "in",
        "on",
        "by",
        "that",
        "this",
        "if",
        "will",
        "can",
        "would",
        "be",
    ]
)


def split_sentences(said: str) -> tuple[str, ...]:
    """``said`` as its sentences (ends kept; a ';' ends one too); never an empty piece."""
    return tuple(p.strip() for p in _SENTENCE_END.split(said) if p.strip())


def first_piece(sentence: str) -> tuple[str, ...]:
    """``sentence`` as (a short first piece, the rest), or as itself when it is short. The
    cut is at the first comma when that clause is short enough, else after at most
    ``FIRST_PIECE_WORDS`` words, never right after a word that leans on the next ("an", "the")."""
    words = sentence.split()
    if len(words) < 2 * FIRST_PIECE_WORDS:
        return (sentence,)
    head, *rest = _CLAUSE_END.split(sentence, maxsplit=1)
    if rest and 2 <= len(head.split()) <= FIRST_PIECE_WORDS + 1:
        return (head, rest[0])
    cut = FIRST_PIECE_WORDS
    while cut > 2 and words[cut - 1].lower().strip(",") in _WEAK:
        cut -= 1
    return (" ".join(words[:cut]), " ".join(words[cut:]))


def fixed_sentences(lang: str) -> tuple[str, ...]:
    """Every sentence the kiosk says that names no one and no time, in ``lang``."""
    out: list[str] = []
    for key in (*PROMPTS, *text_keys()):
        said = text(key, lang) if "{" not in _raw(key, lang) else ""
        out.extend(split_sentences(said))
    return tuple(dict.fromkeys(out))


def _raw(key: str, lang: str) -> str:
    try:
        return text(key, lang)
    except KeyError:  # a template: its fields are the day's
        return "{"


@dataclass(frozen=True)
class Booking:
    """One appointment as the voice says it: the first name (only), the time, the provider."""

    first_name: str
    at: time
    provider: str


def day_bookings(source: ScheduleSource, today: date) -> tuple[tuple[Booking, ...], tuple[str, ...]]:
    """Today's bookings and provider names from the cache (run it on the cache's thread)."""
    bookings: list[Booking] = []
    names: list[str] = []
    for provider in source.providers():
        name = str(getattr(provider, "name", ""))
        names.append(name)
        for appt in source.appointments_for(str(getattr(provider, "id", ""))):
            start = str(getattr(appt, "start", ""))
            if start[:10] != today.isoformat() or getattr(appt, "state", "") == "cancelled":
                continue
            try:
                at = time.fromisoformat(start[11:16])
            except ValueError:
                continue
            first = str(getattr(appt, "first_name", "")).strip()
            if first:
                bookings.append(Booking(first, at, name))
    return tuple(bookings), tuple(n for n in names if n)


def day_sentences(bookings: Iterable[Booking], providers: Iterable[str], lang: str) -> tuple[str, ...]:
    """The sentences that name today's patients and providers: each confirm prompt, each
    provider out today and offered instead."""
    out: list[str] = [confirm_prompt(b.first_name, b.at, b.provider, lang) for b in bookings]
    for provider in providers:
        who = say_provider(provider, lang)
        out.append(text("out", lang, who=who[:1].upper() + who[1:]))
        out.extend(split_sentences(text("out_choice_alt", lang, alt=who)))
        out.extend(split_sentences(text("chose_other_provider", lang, alt=who)))
    return tuple(dict.fromkeys(s for said in out for s in split_sentences(said)))


__all__ = ["Booking", "day_bookings", "day_sentences", "first_piece", "fixed_sentences", "split_sentences"]
