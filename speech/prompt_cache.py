"""Rendered sentences, kept: in memory (bounded, least recently used out first) and, for
the fixed prompts only, on disk, so a restart does not render them again.

A key is (voice identity, rate, sentence). A voice's identity carries its engine, its
name and the SHA-256 of its model (``speech.voices``), so a changed or reinstalled voice
never plays an old rendering: its files live in a directory named after the identity,
and ``prune`` removes the directories of voices no longer configured. Sentences that name
a patient are never written to disk (``persist=False``): the disk holds no patient data.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
from collections import OrderedDict
from pathlib import Path

from core.errors import SpeechError
from speech.audio import Audio, read_wav, write_wav

_log = logging.getLogger(__name__)

CacheKey = tuple[str, int, str]
"""(voice identity, rate in words per minute, sentence)."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PromptCache:
    """Thread-safe: the speaker's thread plays from it while a pre-render job fills it."""

    def __init__(self, directory: Path | None = None, size: int = 256) -> None:
        self.directory = directory
        self._size = size
        self._memory: OrderedDict[CacheKey, Audio] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> Audio | None:
        with self._lock:
            audio = self._memory.get(key)
            if audio is not None:
                self._memory.move_to_end(key)
                return audio
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            audio = read_wav(path)
        except SpeechError as exc:  # a torn or foreign file: render again (and overwrite it)
            _log.warning("speech: prompt cache file unreadable, rendering again (%s)", exc)
            return None
        self._remember(key, audio)
        return audio

    def put(self, key: CacheKey, audio: Audio, *, persist: bool = False) -> None:
        self._remember(key, audio)
        path = self._path(key) if persist else None
        if path is None or path.is_file():
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            write_wav(partial, audio)
            partial.replace(path)  # whole or not at all
        except OSError as exc:  # a full or read-only disk costs a render at the next start
            _log.warning("speech: prompt cache not written (%s)", exc)

    def __contains__(self, key: CacheKey) -> bool:
        with self._lock:
            if key in self._memory:
                return True
        path = self._path(key)
        return path is not None and path.is_file()

    def forget_memory(self) -> None:
        with self._lock:
            self._memory.clear()

    def prune(self, identities: set[str]) -> None:
        """Delete the disk renderings of every voice not in ``identities``."""
        if self.directory is None or not self.directory.is_dir():
            return
        keep = {_digest(i)[:16] for i in identities}
        for child in self.directory.iterdir():
            if child.is_dir() and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    def _remember(self, key: CacheKey, audio: Audio) -> None:
        with self._lock:
            self._memory[key] = audio
            self._memory.move_to_end(key)
            while len(self._memory) > self._size:
                self._memory.popitem(last=False)

    def _path(self, key: CacheKey) -> Path | None:
        if self.directory is None:
            return None
        identity, rate, sentence = key
        name = _digest(f"{rate}|{sentence}")
        return self.directory / _digest(identity)[:16] / f"{name}.wav"


__all__ = ["CacheKey", "PromptCache"]
