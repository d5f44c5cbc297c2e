"""The pyttsx3/espeak-ng worker process: ``python -m speech._tts_worker``.

Requests (texts, voice, rate) are answered by ``speech._synth_serve``, which keeps
pyttsx3's prints off the wire (the wire: ``speech.synth_process``).
"""

from __future__ import annotations

import os
import tempfile
import wave

from speech._synth_serve import Synthesize, serve

_ATTEMPTS = 4


def main() -> None:  # pragma: no cover - runs in the child process
    serve(_start)


def _start() -> Synthesize:
    import pyttsx3  # after serve() pointed stdout away: pyttsx3 prints

    engine = pyttsx3.init("espeak")
    return lambda text, voice, rate: _synthesize(engine, text, voice, rate)


def _synthesize(engine: object, text: str, voice: str, rate: int) -> tuple[int, int, bytes]:
    """One synthesis through pyttsx3's save_to_file, retried when it comes back empty.

    pyttsx3 2.99's espeak driver drives espeak asynchronously and now and then ends its
    loop before any audio arrived (a zero-length WAV); a retry has always produced it.
    """
    for _attempt in range(_ATTEMPTS):
        with tempfile.TemporaryDirectory(prefix="kiosk-tts-") as tmp:
            path = os.path.join(tmp, "out.wav")
            engine.setProperty("voice", voice)  # type: ignore[attr-defined]
            engine.setProperty("rate", rate)  # type: ignore[attr-defined]
            engine.save_to_file(text, path)  # type: ignore[attr-defined]
            engine.runAndWait()  # type: ignore[attr-defined]
            with wave.open(path, "rb") as wf:
                frames = wf.readframes(wf.getnframes())
                if frames or not text.strip():
                    return wf.getframerate(), wf.getsampwidth(), frames
    raise RuntimeError(f"espeak produced no audio {_ATTEMPTS} times")


if __name__ == "__main__":
    main()
