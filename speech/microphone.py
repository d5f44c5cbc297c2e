"""The microphone and the speaker through sounddevice (PortAudio).

Only these classes touch a sound device; they open it lazily and turn PortAudio's
errors (no device, busy, unsupported rate) into ``SpeechError``. Tests use ``WavSource``
and ``MemorySink`` instead; ``require_sound_device`` says at start when a unit has none.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator
from typing import Any

import numpy as np

from core.errors import SpeechError
from speech.audio import Audio, Samples


def _sounddevice() -> Any:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:  # OSError: the PortAudio library is missing
        raise SpeechError(f"sound device support is unavailable: {exc}") from exc
    return sounddevice


def has_audio_devices(kind: str = "input", device: str | None = None) -> bool:
    """Whether PortAudio reports a ``kind`` ("input" or "output") device: the default one,
    or the one named ``device``."""
    try:
        sd = _sounddevice()
        sd.query_devices(device=device, kind=kind)
    except Exception:  # noqa: BLE001 - PortAudioError, SpeechError, ValueError: all mean "no"
        return False
    return True


def require_sound_device(kind: str, device: str | None) -> None:
    """``SpeechError`` naming what is missing when there is no ``kind`` ("input": the
    microphone, "output": the speaker) device, so a unit without sound says so once at
    start instead of failing at every utterance."""
    if not has_audio_devices(kind, device):
        what = "microphone" if kind == "input" else "speaker"
        named = f" named {device!r}" if device else ""
        raise SpeechError(f"no {what}{named}: the sound system lists no {kind} device{named}")


class MicSource:
    """Frames from the default (or named) input device at ``rate``."""

    def __init__(self, rate: int = 16000, frame_ms: int = 30, device: str | int | None = None) -> None:
        self.rate = rate
        self.frame_ms = frame_ms
        self._device = device
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=200)
        self._stream: Any = None

    def frames(self) -> Iterator[Samples]:
        sd = _sounddevice()
        blocksize = self.rate * self.frame_ms // 1000
        try:
            self._stream = sd.RawInputStream(
                samplerate=self.rate,
                blocksize=blocksize,
                channels=1,
                dtype="int16",
                device=self._device,
                callback=self._on_audio,
            )
            self._stream.start()
        except Exception as exc:
            raise SpeechError(f"cannot open the microphone: {exc}") from exc
        try:
            while self._stream is not None:
                try:
                    data = self._queue.get(timeout=2.0)
                except queue.Empty:
                    raise SpeechError("the microphone stopped delivering audio") from None
                yield np.frombuffer(data, dtype="<i2").astype(np.int16)
        finally:
            self.close()

    def _on_audio(self, indata: Any, _frames: int, _time: Any, _status: Any) -> None:
        with contextlib.suppress(queue.Full):  # the listener fell behind: drop, never block PortAudio
            self._queue.put_nowait(bytes(indata))

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()


class SoundDeviceSink:
    """Plays audio on the default (or named) output device, blocking the speaker thread."""

    def __init__(self, device: str | int | None = None) -> None:
        self._device = device

    def play(self, audio: Audio) -> None:
        sd = _sounddevice()
        try:
            sd.play(audio.samples, samplerate=audio.rate, device=self._device, blocking=True)
        except Exception as exc:
            raise SpeechError(f"cannot play on the speaker: {exc}") from exc
