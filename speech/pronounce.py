"""Pronunciations for a grammar's words: a small dictionary cut from CMUdict.

Restricting pocketsphinx's dictionary to the words in use keeps loading fast and the
search small. Names CMUdict lacks get a rough letter-to-sound spelling
(``guess_phones``) so a patient called "Xiomara" can still be recognized, if less well.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

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


class Lexicon:
    """CMUdict-format pronunciations, looked up by word. Held as the file's bytes with a
    sorted index of line offsets: about 4 MB for CMUdict's 134,000 lines, where a dict of
    strings took 79 MB of the kiosk's memory budget."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        offsets = array("I")
        ordered, previous = True, b""
        pos = 0
        while pos < len(data):  # line by line without a list of lines (its memory stays)
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end + 1
            if data[pos:end].strip() and not data.startswith(b";;;", pos):
                key = self._key_at(pos)
                ordered = ordered and key >= previous
                previous = key
                offsets.append(pos)
            pos = end
        if not ordered:  # a hand-made dictionary: sort once (stable: variants keep their order)
            offsets = array("I", sorted(offsets, key=self._key_at))
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def get(self, word: str) -> tuple[str, ...] | None:
        """The word's pronunciations (the first is the main one), or None."""
        key = word.encode("utf-8")
        i = bisect.bisect_left(self._offsets, key, key=self._key_at)
        found: list[str] = []
        while i < len(self._offsets) and self._key_at(self._offsets[i]) == key:
            line = self._line_at(self._offsets[i])
            parts = line.split(None, 1)
            if len(parts) == 2:
                found.append(parts[1].split("#", 1)[0].strip())
            i += 1
        return tuple(found) or None

    def _line_at(self, offset: int) -> str:
        end = self._data.find(b"\n", offset)
        return self._data[offset : end if end >= 0 else len(self._data)].decode("utf-8", "replace")

    def _key_at(self, offset: int) -> bytes:
        end = offset
        data = self._data
        while end < len(data) and data[end] not in b" \t\r\n":
            end += 1
        word = data[offset:end]
        if word.endswith(b")") and b"(" in word:  # "word(2)": a variant of "word"
            stem, _, count = word[:-1].rpartition(b"(")
            if count.isdigit():
                return stem
        return word


@functools.lru_cache(maxsize=2)
def load_cmudict(path: str) -> Lexicon:
    """The pronunciations of a CMUdict-format file (read once per path)."""
    return Lexicon(Path(path).read_bytes())


class _Lookup(Protocol):
    def get(self, word: str, /) -> tuple[str, ...] | None: ...


def pronunciations(words: Iterable[str], lexicon: _Lookup) -> tuple[dict[str, tuple[str, ...]], list[str]]:
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
