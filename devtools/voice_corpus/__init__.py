"""The voice test corpus: patient utterances from several synthesizers, degraded like a lobby.

``python -m devtools.voice_corpus --out build/voice-corpus [--quick] [--split heldout|tune|all]``
writes 16 kHz mono WAVs and ``manifest.jsonl`` (``devtools.voice_corpus.manifest``: the
``Clip`` type, ``load_manifest`` and ``intent_from_label``, shared with the evaluator).
See docs/speech.md, "The corpus".
"""

from devtools.voice_corpus.manifest import (
    MANIFEST_NAME,
    REJECT,
    Clip,
    ManifestError,
    intent_from_label,
    label_of,
    load_manifest,
    wav_path,
    write_manifest,
)

__all__ = [
    "MANIFEST_NAME",
    "REJECT",
    "Clip",
    "ManifestError",
    "intent_from_label",
    "label_of",
    "load_manifest",
    "wav_path",
    "write_manifest",
]
