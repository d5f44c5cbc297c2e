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


def build_word_graph(patterns: Sequence[Pattern]) -> WordGraph:
    """One graph accepting any pattern; uniform probabilities over each state's arcs."""
    start, final = 0, 1
    arcs: set[tuple[int, int, str]] = set()
    next_state = 2
    for pattern in patterns:
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
                    if depth == len(words) - 1:
                        arcs.add((here, exit_, word))
                    else:
                        if prefix not in trie:
                            trie[prefix] = next_state
                            next_state += 1
                        arcs.add((here, trie[prefix], word))
            entry = exit_
    fan_out: dict[int, int] = {}
    for fr, _, _ in arcs:
        fan_out[fr] = fan_out.get(fr, 0) + 1
    weighted = tuple(sorted((fr, to, 1.0, w) for fr, to, w in arcs))
    return WordGraph(start=start, final=final, arcs=weighted)
