"""Whisper's own token split of a text (byte-level BPE with the model's merges). Pure.

``speech.whisper_io.Vocabulary.encode`` takes the longest token first: valid tokens, enough for a
prompt, but not the split Whisper learned. Forced decoding scores a text by its tokens'
probabilities, and a split the model never saw scores low whatever was said ("noventa" split
unlike training lost to "ochenta" on a clip that said "noventa"), so the closed set is scored
with the split BPE makes: the pre-tokenizer's words, each merged pair by pair in merge order.
"""

from __future__ import annotations

import itertools
import json
import re
from functools import lru_cache
from pathlib import Path

from core.errors import SpeechError
from speech.whisper_io import Vocabulary, _byte_alphabet

_WORDS = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")
"""GPT-2's pre-tokenizer (letters, digits, other symbols, spaces), with ``re``'s classes."""


class BpeEncoder:
    """Text -> token ids as the model's tokenizer splits it."""

    def __init__(self, vocabulary: Vocabulary, merges: list[tuple[str, str]]) -> None:
        self._vocabulary = vocabulary
        self._ranks = {pair: rank for rank, pair in enumerate(merges)}
        self._to_char = {b: c for c, b in _byte_alphabet().items()}
        self._ids = {t: i for i, t in enumerate(vocabulary.tokens)}
        self._word = lru_cache(maxsize=4096)(self._encode_word)

    @classmethod
    def load(cls, folder: Path, vocabulary: Vocabulary) -> BpeEncoder:
        """The merges from the model folder's ``tokenizer.json`` (``SpeechError``: none there)."""
        try:
            data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
            raw = data["model"]["merges"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SpeechError(f"whisper model {folder}: no BPE merges in tokenizer.json ({exc})") from exc
        merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else (str(m[0]), str(m[1])) for m in raw]
        return cls(vocabulary, [(a, b) for a, b in merges])

    def encode(self, text: str) -> list[int]:
        out: list[int] = []
        for word in _WORDS.findall(text):
            out += self._word("".join(self._to_char[b] for b in word.encode("utf-8")))
        return out

    def _encode_word(self, word: str) -> list[int]:
        parts = list(word)
        while len(parts) > 1:
            ranked = [(self._ranks.get(pair, -1), i) for i, pair in enumerate(itertools.pairwise(parts))]
            known = [(rank, i) for rank, i in ranked if rank >= 0]
            if not known:
                break
            _, at = min(known)
            parts[at : at + 2] = [parts[at] + parts[at + 1]]
        ids = []
        for part in parts:
            found = self._ids.get(part)
            if found is None:  # not in the vocabulary: its bytes' tokens one by one
                ids += [self._ids[c] for c in part if c in self._ids]
            else:
                ids.append(found)
        return ids


__all__ = ["BpeEncoder"]
