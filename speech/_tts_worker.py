"""The pyttsx3/espeak-ng worker process: ``python -m speech._tts_worker``.

Requests (texts, voice, rate) arrive pickled on stdin; one reply per text goes out on the
original stdout, which is then pointed at /dev/null because pyttsx3 prints on every save
(the wire: ``speech.synth_process``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import wave
from multiprocessing.connection import Connection

_ATTEMPTS = 4


def main() -> None:  # pragma: no cover - runs in the child process
    reply = Connection(os.dup(1), readable=False)
    requests = Connection(os.dup(0), writable=False)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    import pyttsx3

    engine = pyttsx3.init("espeak")
    while True:
        try:
            request = requests.recv()
        except EOFError:
            return
        if request is None:
            return
        texts, voice, rate = request
        for text in (texts,) if isinstance(texts, str) else texts:
            try:
                reply.send(("ok", *_synthesize(engine, text, voice, rate)))
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises SpeechError
                reply.send(("error", f"{type(exc).__name__}: {exc}", 0, b""))


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
