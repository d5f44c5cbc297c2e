"""Noise suppression for a lobby: RNNoise (the ``pyrnnoise`` wheel's ``librnnoise``), streamed.

RNNoise is a small recurrent network trained on speech and noise; its weights are built
into the shared library the wheel ships, so nothing is downloaded. It runs on 10 ms frames
at 48 kHz: each 16 kHz frame is upsampled by three (linear, continuous across frames),
denoised, and decimated back. The library is loaded straight from the wheel's folder with
ctypes (the package's own Python wrapper pulls in PyAV and matplotlib, ~40 MB we do not
need). ``Denoiser.reset()`` starts a new state for each listen.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import SpeechError
from speech.audio import Samples

RATE = 16000
UP = 3  # 16 kHz -> RNNoise's 48 kHz
_FRAME = 480  # RNNoise's frame: 10 ms at 48 kHz


@functools.cache
def _library() -> Any:
    spec = importlib.util.find_spec("pyrnnoise")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    found = [Path(f) / "librnnoise.so" for f in folders if (Path(f) / "librnnoise.so").is_file()]
    if not found:
        raise SpeechError("noise suppression: the pyrnnoise wheel (librnnoise) is not installed")
    lib = ctypes.CDLL(str(found[0]))
    lib.rnnoise_create.argtypes = [ctypes.c_void_p]
    lib.rnnoise_create.restype = ctypes.c_void_p
    lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
    lib.rnnoise_process_frame.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_float),
    ]  # fmt: skip
    lib.rnnoise_process_frame.restype = ctypes.c_float
    return lib


class Denoiser:
    """16 kHz int16 frames in, the same number of denoised samples out (10 ms of delay)."""

    def __init__(self) -> None:
        self._lib = _library()
        self._state: Any = None
        self._last = 0.0
        self._pending = np.zeros(0, np.float32)
        self.speech_probability = 0.0
        self.reset()

    def reset(self) -> None:
        if self._state is not None:
            self._lib.rnnoise_destroy(self._state)
        self._state = self._lib.rnnoise_create(None)
        self._last = 0.0
        self._pending = np.zeros(0, np.float32)
        self._out = np.zeros(0, np.float32)

    def process(self, frame: Samples) -> Samples:
        if len(frame) == 0:
            return frame
        x = frame.astype(np.float32)
        grid = np.arange(1, len(x) * UP + 1, dtype=np.float32) / UP  # continuous from the last sample
        up = np.interp(grid, np.arange(len(x) + 1, dtype=np.float32), np.concatenate([[self._last], x]))
        self._last = float(x[-1])
        data = np.concatenate([self._pending, up.astype(np.float32)])
        whole = len(data) // _FRAME * _FRAME
        out = np.empty(whole, np.float32)
        for start in range(0, whole, _FRAME):
            src = np.ascontiguousarray(data[start : start + _FRAME])
            dst = out[start : start + _FRAME]
            self.speech_probability = float(
                self._lib.rnnoise_process_frame(
                    self._state,
                    dst.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                    src.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                )
            )
        self._pending = data[whole:]
        self._out = np.concatenate([self._out, out[::UP]])
        n = min(len(frame), len(self._out))
        done, self._out = self._out[:n], self._out[n:]
        padded = np.concatenate([np.zeros(len(frame) - n, np.float32), done])
        return np.clip(np.round(padded), -32768, 32767).astype(np.int16)

    def close(self) -> None:
        if self._state is not None:
            self._lib.rnnoise_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        self.close()
