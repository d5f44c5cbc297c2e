"""Grammars as epsilon-free word graphs, built from plain word sequences.

pocketsphinx's JSGF compiler threads rule references through null transitions, and with
alternatives inside rules it can report the wrong word (heard "nineteen eighty", said
"twenty ninety"). So grammars are written as *patterns*: a pattern is a list of
segments, a segment a list of word sequences; each segment becomes a prefix tree whose
ends link straight into the next segment's tree. Every arc carries a word; the decoder
never follows a null transition. Pure: the engine turns the arcs into its own FSG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Segment = Sequence[Sequence[str]]  # alternatives, each a word sequence
Pattern = Sequence[Segment]  # segments said one after another


@dataclass(frozen=True)
class WordGraph:
    start: int
    final: int
    arcs: tuple[tuple[int, int, float, str], ...]  # (from, to, probability, word)

    @property
    def n_states(self) -> int:
        return 1 + max([self.final, self.start, *(a for a, _, _, _ in self.arcs)])

    @property
    def words(self) -> frozenset[str]:
        return frozenset(w for _, _, _, w in self.arcs)

    def accepts(self, words: Sequence[str]) -> bool:
        """Whether the word sequence is a path from start to final (for tests)."""
        states = {self.start}
        for word in words:
            states = {to for fr, to, _, w in self.arcs if fr in states and w == word}
            if not states:
                return False
        return self.final in states


def build_word_graph(patterns: Sequence[Pattern], weights: Sequence[float] = ()) -> WordGraph:
    """One graph accepting any pattern.

    ``weights`` (one per pattern, default 1.0) go on the pattern's arcs out of the start
    state: a prior the decoder adds to the acoustic score (scaled by its language weight),
    so a likelier pattern wins a near tie. Every other arc has probability 1.
    """
    if weights and len(weights) != len(patterns):
        raise ValueError("build_word_graph: one weight per pattern")
    if any(not 0.0 < w <= 1.0 for w in weights):
        raise ValueError("build_word_graph: weights are probabilities in (0, 1]")
    start, final = 0, 1
    arcs: dict[tuple[int, int, str], float] = {}
    next_state = 2
    for n, pattern in enumerate(patterns):
        weight = weights[n] if weights else 1.0
        entry = start
        segments = [seg for seg in pattern if seg]
        for index, segment in enumerate(segments):
            exit_ = final if index == len(segments) - 1 else next_state
            if exit_ != final:
                next_state += 1
            trie: dict[tuple[str, ...], int] = {(): entry}
            for words in segment:
                if not words:
                    raise ValueError("build_word_graph: an empty alternative would need a null transition")
                for depth, word in enumerate(words):
                    prefix = tuple(words[: depth + 1])
                    here = trie[tuple(words[:depth])]
                    prob = weight if here == start else 1.0
                    if depth == len(words) - 1:
                        arc = (here, exit_, word)
                    else:
                        if prefix not in trie:
                            trie[prefix] = next_state
                            next_state += 1
                        arc = (here, trie[prefix], word)
                    arcs[arc] = max(prob, arcs.get(arc, 0.0))
            entry = exit_
    weighted = tuple(sorted((fr, to, p, w) for (fr, to, w), p in arcs.items()))
    return WordGraph(start=start, final=final, arcs=weighted)
