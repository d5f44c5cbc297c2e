"""The Piper worker process: ``python -m speech._piper_worker``.

Requests ``(texts, voice, rate_wpm)`` arrive pickled on stdin, ``voice`` being the path of
a Piper ``.onnx`` model (its ``.onnx.json`` beside it); ``speech._synth_serve`` answers
them, one reply per text (the wire: ``speech.synth_process``). Voices are loaded on first
use and kept.
"""

from __future__ import annotations

from typing import Any

from speech._synth_serve import serve

NATURAL_WPM = 180
"""The pace a Piper voice speaks at its own ``length_scale`` (joe: ~180 words a minute with
pauses); the kiosk's ``rate_wpm`` is taken relative to it."""
HEADROOM = 0.8
"""Piper normalizes each piece to full scale; -2 dB leaves room for the phone band's filter."""
THREADS = 1
"""onnxruntime threads for one synthesis. Measured on the 2-core dev box with other work on it
(docs/speech.md): one thread renders faster than onnxruntime's default of one per core (RTF
0.22-0.33 against 0.37-0.39 on the same sentences) and leaves a core to the rest of the kiosk.
Its memory arena stays on: without it 96 sentences of varied length took 406 MB, with it 288."""


def length_scale(base: float, rate_wpm: int) -> float:
    """Piper's phoneme length scale for ``rate_wpm`` (> 1 is slower)."""
    return base * NATURAL_WPM / max(60, min(400, rate_wpm))


def main() -> None:  # pragma: no cover - runs in the child process
    voices: dict[str, Any] = {}  # loaded on first use and kept
    serve(lambda: lambda text, voice, rate: _synthesize(voices, voice, text, rate))


def _synthesize(voices: dict[str, Any], path: str, text: str, rate: int) -> tuple[int, int, bytes]:
    import numpy as np
    from piper import SynthesisConfig

    voice = voices.get(path)
    if voice is None:
        voice = voices[path] = _load(path)
    base = float(voice.config.length_scale or 1.0)
    config = SynthesisConfig(length_scale=length_scale(base, rate), volume=HEADROOM)
    chunks = [c.audio_int16_array for c in voice.synthesize(text, syn_config=config)]
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return int(voice.config.sample_rate), 2, samples.astype("<i2").tobytes()


def _load(path: str) -> Any:
    """``PiperVoice.load`` with our session options (its own take none)."""
    import json

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    with open(f"{path}.json", encoding="utf-8") as f:
        config = PiperConfig.from_dict(json.load(f))
    session = onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    return PiperVoice(session=session, config=config)


if __name__ == "__main__":
    main()
