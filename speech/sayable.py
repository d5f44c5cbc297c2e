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
from datetime import time

from speech.phrases import PROMPTS, confirm_prompt, say_provider
from speech.script import text, text_keys

_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+")
_CLAUSE_END = re.compile(r"(?<=,)\s+")
LONG_PIECE_WORDS = 7
"""A first piece longer than this is cut at its first comma, so the first audio of a turn
nobody has heard yet is a short clause (Piper renders ~0.15 s per second of speech here)."""


def split_sentences(said: str) -> tuple[str, ...]:
    """``said`` as its sentences (ends kept; a ';' ends one too); never an empty piece."""
    return tuple(p.strip() for p in _SENTENCE_END.split(said) if p.strip())


def first_clause(sentence: str) -> tuple[str, ...]:
    """A long ``sentence`` as (its first clause, the rest); a short one as itself."""
    if len(sentence.split()) <= LONG_PIECE_WORDS:
        return (sentence,)
    head, *rest = _CLAUSE_END.split(sentence, maxsplit=1)
    return (head, *rest) if rest and len(head.split()) >= 2 else (sentence,)


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


__all__ = ["Booking", "day_sentences", "first_clause", "fixed_sentences", "split_sentences"]
