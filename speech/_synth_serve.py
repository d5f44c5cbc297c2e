"""The request loop both synthesis worker processes run (``speech._tts_worker``,
``speech._piper_worker``; the wire: ``speech.synth_process``).

Requests ``(texts, voice, rate_wpm)`` arrive pickled on stdin; one reply per text goes out
on the original stdout, which is pointed at /dev/null before the engine starts, so nothing
a library prints (pyttsx3 prints on every save) can corrupt a reply.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection

Synthesize = Callable[[str, str, int], tuple[int, int, bytes]]
"""``(text, voice, rate_wpm) -> (sample rate, sample width, pcm)``."""


def serve(start: Callable[[], Synthesize]) -> None:  # pragma: no cover - runs in the child process
    """Take the wire, start the engine (``start``), and answer until stdin closes or a
    ``None`` request arrives. A synthesis that raises is answered with its error (the
    parent raises ``SpeechError``) and the loop goes on."""
    reply = Connection(os.dup(1), readable=False)
    requests = Connection(os.dup(0), writable=False)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    synthesize = start()
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
                reply.send(("ok", *synthesize(text, voice, rate)))
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises SpeechError
                reply.send(("error", f"{type(exc).__name__}: {exc}", 0, b""))


__all__ = ["Synthesize", "serve"]
