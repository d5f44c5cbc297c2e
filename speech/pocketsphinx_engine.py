"""pocketsphinx 5 (the PyPI wheel's US English model) in finite-state-grammar mode.

Each ``StepGrammar`` becomes an epsilon-free FSG (``StepGrammar.word_graph``) and a named
search, compiled once and switched with ``activate_search``. The dictionary holds only
the words the grammars use: CMUdict pronunciations, a letter-to-sound guess for the rest.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from core.errors import SpeechError
from speech.grammar import StepGrammar
from speech.pronounce import load_cmudict, pronunciations, write_dict
from speech.recognizer import Hypothesis

_log = logging.getLogger(__name__)


class PocketsphinxRecognizer:
    engine = "pocketsphinx"
    sample_rate = 16000
    languages: tuple[str, ...] = ("en",)

    def __init__(self, model_dir: Path | None = None, dict_path: Path | None = None) -> None:
        try:
            from pocketsphinx import Decoder, get_model_path
        except ImportError as exc:  # pragma: no cover - a packaging fault
            raise SpeechError(f"pocketsphinx is not installed: {exc}") from exc
        self._hmm = str(model_dir or get_model_path("en-us/en-us"))
        self._lexicon_path = str(dict_path or get_model_path("en-us/cmudict-en-us.dict"))
        if not Path(self._hmm, "mdef").is_file():
            raise SpeechError(f"pocketsphinx model {self._hmm}: no acoustic model (mdef missing)")
        self._lexicon = load_cmudict(self._lexicon_path)
        self._decoder_cls = Decoder
        self._decoder: Any = None
        self._known: set[str] = set()
        self._searches: set[str] = set()
        self._active = ""
        self.guessed: set[str] = set()  # words pronounced by the letter-to-sound fallback

    def set_grammar(self, grammar: StepGrammar) -> None:
        if grammar.lang not in self.languages:
            raise SpeechError(f"pocketsphinx has no {grammar.lang!r} model; use vosk for that language")
        self._add_words(grammar.words)
        decoder = self._decoder
        if grammar.key not in self._searches:
            graph = grammar.word_graph()
            try:
                fsg = decoder.create_fsg(grammar.key, graph.start, graph.final, list(graph.arcs))
                decoder.add_fsg(grammar.key, fsg)
            except (ValueError, RuntimeError) as exc:
                raise SpeechError(f"pocketsphinx rejected the {grammar.step.value} grammar: {exc}") from exc
            self._searches.add(grammar.key)
        decoder.activate_search(grammar.key)
        self._active = grammar.key

    def start(self) -> None:
        self._require_grammar().start_utt()

    def accept(self, pcm: bytes) -> None:
        if len(pcm) % 2:
            raise SpeechError("audio chunk has an odd number of bytes: expected 16-bit samples")
        self._require_grammar().process_raw(pcm, False, False)

    def finish(self) -> Hypothesis:
        decoder = self._require_grammar()
        decoder.end_utt()
        hyp = decoder.hyp()
        return Hypothesis(text=hyp.hypstr if hyp is not None else "", engine=self.engine)

    def close(self) -> None:
        self._decoder = None
        self._searches.clear()
        self._known.clear()

    def _require_grammar(self) -> Any:
        if self._decoder is None or not self._active:
            raise SpeechError("pocketsphinx: set a grammar before listening")
        return self._decoder

    def _add_words(self, words: frozenset[str]) -> None:
        missing = sorted(words - self._known)
        if not missing:
            return
        entries, guessed = pronunciations(missing, self._lexicon)
        if guessed:
            _log.info("pocketsphinx: guessed pronunciations for %s", ", ".join(guessed))
            self.guessed.update(guessed)
        if self._decoder is None:
            with tempfile.TemporaryDirectory(prefix="kiosk-ps-") as tmp:
                dict_file = Path(tmp) / "kiosk.dict"
                write_dict(entries, dict_file)
                self._decoder = self._decoder_cls(
                    hmm=self._hmm, dict=str(dict_file), lm=None, logfn="/dev/null", samprate=16000
                )
        else:
            flat = [(w, p) for w, variants in entries.items() for p in variants[:1]]
            for n, (word, phones) in enumerate(flat):
                self._decoder.add_word(word, phones, n == len(flat) - 1)
        self._known.update(missing)
