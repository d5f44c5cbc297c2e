"""A process that encrypts or rekeys a kiosk cache (or rekeys a hub store: MODE
``rekey-hub``, the key ``store.key`` beside it) and is SIGKILLed at a chosen point
(``python -m tests.support.vault_child MODE DB POINT``): the crash tests' victim.

POINT names a step boundary of ``sync.cipher``'s rewrite (the process kills itself there,
with SIGKILL, so nothing is flushed or cleaned up) or ``none`` (run to the end; the parent
may kill it on a timer)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from sync import cipher
from sync.cache import KioskCache
from sync.vault import STORE_KEY_NAME, KeySource, default_key_source


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after(obj: Any, name: str) -> None:
    real = getattr(obj, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        _die()
        return out

    setattr(obj, name, wrapper)


def _before(obj: Any, name: str) -> None:
    setattr(obj, name, lambda *_a, **_k: _die())


def main(mode: str, db: Path, point: str) -> None:
    if point == "left_wal":
        _after(cipher, "_leave_wal")
    elif point == "exported":
        _after(cipher, "_fsync")
    elif point == "renamed":  # the database's own rename, not a key file's
        real_replace = os.replace

        def replace(src: Any, dst: Any) -> None:
            real_replace(src, dst)
            if Path(dst) == db:
                _die()

        os.replace = replace  # type: ignore[assignment]  # sync.cipher calls os.replace: one module object
    elif point == "staged":
        _after(KeySource, "stage_next")
    elif point == "before_key_commit":
        _before(KeySource, "commit_next")
    print("start", flush=True)
    if mode == "encrypt":
        KioskCache.open(db).close()
    elif mode == "rekey-hub":
        cipher.rotate(db, default_key_source(db, STORE_KEY_NAME))
    else:
        cipher.rotate(db, default_key_source(db))
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
