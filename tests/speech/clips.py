"""What the kiosk's microphone hears a patient say, as a pure function of the phrase, voice
and rate: the same audio whichever tests ran before and on whichever xdist worker.

- A phrase is spoken by a fresh ``espeak-ng`` process: libespeak-ng carries state from one
  synthesis to the next, so a shared pyttsx3 worker said the same phrase up to 70 ms longer or
  shorter depending on what it had said before. A fresh process says it byte for byte as a
  fresh pyttsx3 worker's first synthesis does.
- The room noise is seeded by the phrase, voice and rate (``clip_seed``), not by the order in
  which phrases were first asked for.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np

from speech.audio import Audio, read_wav, write_wav


def room(audio: Audio, seed: int, rate: int = 16000) -> Audio:
    """A clip as a microphone hears it: resampled, 0.4 s of quiet room noise either side."""
    clip = audio.resampled(rate).samples.astype(np.float64)
    pad = np.zeros(rate * 2 // 5)
    rng = np.random.default_rng(seed)
    mixed = np.concatenate([pad, clip, pad]) + rng.normal(0, 30, len(clip) + 2 * len(pad))
    return Audio(np.clip(mixed, -32768, 32767).astype(np.int16), rate)


def clip_seed(text: str, voice: str, rate: int) -> int:
    """The room noise's seed for one phrase: stable across runs and processes (not ``hash()``,
    which Python salts per process)."""
    digest = hashlib.sha256(f"{text}\x00{voice}\x00{rate}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def espeak(text: str, voice: str, rate: int, wav: Path) -> Audio:
    """``text`` spoken by a fresh espeak-ng process into ``wav`` (the same library pyttsx3
    drives, with none of the state an earlier synthesis leaves behind)."""
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), text],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return read_wav(wav)


def heard_in_room(text: str, voice: str, rate: int, folder: Path) -> Path:
    """A WAV of ``text`` as the kiosk's microphone hears it, named by its content."""
    name = f"{clip_seed(text, voice, rate):016x}"
    path = folder / f"{name}.wav"
    if not path.exists():
        spoken = espeak(text, voice, rate, folder / f"{name}-dry.wav")
        write_wav(path, room(spoken, clip_seed(text, voice, rate)))
    return path


__all__ = ["clip_seed", "espeak", "heard_in_room", "room"]
