"""A small word bigram language model written as ARPA text, from a list of sentences. Pure.

The open-vocabulary pass (``speech.openpass``) decodes what the step's flat grammar was
unsure of with a language model built at run time from the kiosk's own sentences for that
step, so words may recombine ("can i" + "talk to a person") into sentences the grammar
does not list; ``speech.matcher`` then says what the sentence means.

Estimates: unigrams add-``k``; bigrams absolutely discounted by ``discount`` with the mass
left over given to the unigram distribution through the backoff weight, so every history
sums to one. ``<s>`` is never predicted (log10 -99, the ARPA convention).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable

START, END = "<s>", "</s>"
NEVER = -99.0


def _log10(p: float) -> float:
    return math.log10(p) if p > 0 else NEVER


def arpa_bigram(sentences: Iterable[str], k: float = 0.5, discount: float = 0.5) -> str:
    """ARPA text of a bigram model over ``sentences`` (whitespace-separated words).

    Raises ``ValueError`` when no sentence has a word (an empty model means nothing).
    """
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for sentence in sentences:
        words = [START, *sentence.split(), END]
        if len(words) == 2:
            continue
        unigrams.update(words)
        bigrams.update(itertools.pairwise(words))
    if not unigrams:
        raise ValueError("arpa_bigram: no sentence with a word")
    vocab = sorted(unigrams)
    predicted = [w for w in vocab if w != START]
    total = sum(unigrams[w] for w in predicted)
    p_uni = {w: (unigrams[w] + k) / (total + k * len(predicted)) for w in predicted}
    followers: dict[str, list[tuple[str, int]]] = {}
    for (h, w), c in sorted(bigrams.items()):
        followers.setdefault(h, []).append((w, c))
    listed: dict[tuple[str, str], float] = {}
    backoff: dict[str, float] = {}
    for h, pairs in followers.items():
        seen = sum(c for _w, c in pairs)
        for w, c in pairs:
            listed[(h, w)] = (c - discount) / seen if c > discount else c / seen
        left = 1.0 - sum(listed[(h, w)] for w, _c in pairs)
        room = 1.0 - sum(p_uni[w] for w, _c in pairs)
        backoff[h] = left / room if left > 0 and room > 0 else 1e-9
    lines = ["\\data\\", f"ngram 1={len(vocab)}", f"ngram 2={len(listed)}", "", "\\1-grams:"]
    for w in vocab:
        prob = NEVER if w == START else _log10(p_uni[w])
        bow = f"\t{_log10(backoff[w]):.4f}" if w in backoff else ""
        lines.append(f"{prob:.4f}\t{w}{bow}")
    lines += ["", "\\2-grams:"]
    lines += [f"{_log10(p):.4f}\t{h} {w}" for (h, w), p in sorted(listed.items())]
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)
