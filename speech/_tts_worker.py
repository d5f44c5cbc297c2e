"""The pyttsx3/espeak-ng worker process: ``python -m speech._tts_worker``.

Requests (text, voice, rate) arrive pickled on stdin; replies go out on the original
stdout, which is then pointed at /dev/null because pyttsx3 prints on every save.
"""

from __future__ import annotations

import os
import sys
import tempfile
import wave
from multiprocessing.connection import Connection


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
        text, voice, rate = request
        try:
            with tempfile.TemporaryDirectory(prefix="kiosk-tts-") as tmp:
                path = os.path.join(tmp, "out.wav")
                engine.setProperty("voice", voice)
                engine.setProperty("rate", rate)
                engine.save_to_file(text, path)
                engine.runAndWait()
                with wave.open(path, "rb") as wf:
                    frames = wf.readframes(wf.getnframes())
                    reply.send(("ok", wf.getframerate(), wf.getsampwidth(), frames))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises SpeechError
            reply.send(("error", f"{type(exc).__name__}: {exc}", 0, b""))


if __name__ == "__main__":
    main()
