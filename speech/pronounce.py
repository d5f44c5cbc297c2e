"""Pronunciations for a grammar's words: a small dictionary cut from CMUdict.

Restricting pocketsphinx's dictionary to the words in use keeps loading fast and the
search small. Names CMUdict lacks get a rough letter-to-sound spelling
(``guess_phones``) so a patient called "Xiomara" can still be recognized, if less well.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

# Ordered: longer spellings first. Rough US English; good enough for rare names.
_RULES: tuple[tuple[str, str], ...] = (
    ("tion", "SH AH N"), ("ough", "AO"), ("igh", "AY"), ("sch", "SH"), ("tch", "CH"),
    ("ch", "CH"), ("sh", "SH"), ("th", "TH"), ("ph", "F"), ("wh", "W"), ("ck", "K"), ("ng", "NG"),
    ("qu", "K W"), ("gn", "N"), ("kn", "N"), ("ll", "L"), ("rr", "R"), ("ss", "S"), ("tt", "T"),
    ("nn", "N"), ("mm", "M"), ("ee", "IY"), ("ea", "IY"), ("oo", "UW"), ("ou", "AW"), ("ow", "OW"),
    ("ai", "EY"), ("ay", "EY"), ("ei", "EY"), ("ey", "IY"), ("ie", "IY"), ("oa", "OW"), ("oi", "OY"),
    ("au", "AO"), ("a", "AA"), ("b", "B"), ("c", "K"), ("d", "D"), ("e", "EH"), ("f", "F"), ("g", "G"),
    ("h", "HH"), ("i", "IY"), ("j", "JH"), ("k", "K"), ("l", "L"), ("m", "M"), ("n", "N"), ("o", "OW"),
    ("p", "P"), ("r", "R"), ("s", "S"), ("t", "T"), ("u", "UW"), ("v", "V"), ("w", "W"), ("x", "K S"),
    ("y", "IY"), ("z", "Z"),
)  # fmt: skip
_ALT = re.compile(r"\(\d+\)$")


def guess_phones(word: str) -> str:
    """A letter-to-sound guess in ARPABET for a word CMUdict does not know."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    phones: list[str] = []
    i = 0
    while i < len(letters):
        for spelling, sound in _RULES:
            if letters.startswith(spelling, i):
                if not (phones and phones[-1] == sound):
                    phones.append(sound)
                i += len(spelling)
                break
        else:  # pragma: no cover - every a-z letter has a rule
            i += 1
    return " ".join(phones) or "AH"


@functools.lru_cache(maxsize=2)
def load_cmudict(path: str) -> dict[str, tuple[str, ...]]:
    """Word -> pronunciations (the first is the main one) from a CMUdict-format file."""
    lexicon: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split(None, 1)
            if len(parts) != 2 or line.startswith(";;;"):
                continue
            word = _ALT.sub("", parts[0])
            phones = parts[1].split("#", 1)[0].strip()
            lexicon.setdefault(word, []).append(phones)
    return {w: tuple(p) for w, p in lexicon.items()}


def pronunciations(
    words: Iterable[str], lexicon: dict[str, tuple[str, ...]]
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Pronunciations for ``words``; also the words that had to be guessed."""
    out: dict[str, tuple[str, ...]] = {}
    guessed: list[str] = []
    for word in sorted(set(words)):
        known = lexicon.get(word)
        if known is None:
            guessed.append(word)
            known = (guess_phones(word),)
        out[word] = known
    return out, guessed


def write_dict(entries: dict[str, tuple[str, ...]], path: Path) -> None:
    """Write pronunciations in the dictionary format pocketsphinx reads."""
    lines = []
    for word, variants in sorted(entries.items()):
        for n, phones in enumerate(variants):
            lines.append(f"{word}{f'({n + 1})' if n else ''} {phones}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
