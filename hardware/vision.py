"""Frame analysis for the camera: faces, sustained motion and QR codes, as functions over arrays.

No capture here: the camera worker, the benchmark and the tests pass BGR ``numpy`` frames.
Frames are analysed in memory and dropped; nothing is stored or sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from hardware.errors import DeviceError

_FACE_WIDTH = 320  # faces are looked for on a frame scaled to this width


@dataclass(frozen=True)
class FrameResult:
    faces: int
    motion: bool
    qr_codes: tuple[str, ...]

    @property
    def someone(self) -> bool:
        return self.faces > 0 or self.motion


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


class FaceDetector:
    """Frontal faces with OpenCV's Haar cascade (shipped inside opencv-python-headless 4.x)."""

    def __init__(self, min_size: int = 24) -> None:
        path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
        self._cascade = cv2.CascadeClassifier(path)
        if self._cascade.empty():
            raise DeviceError(f"face model not found at {path}")
        self._min = min_size

    def count(self, gray: np.ndarray) -> int:
        h, w = gray.shape[:2]
        if w > _FACE_WIDTH:
            gray = cv2.resize(gray, (_FACE_WIDTH, max(1, h * _FACE_WIDTH // w)), interpolation=cv2.INTER_AREA)
        gray = cv2.equalizeHist(gray)
        faces = self._cascade.detectMultiScale(gray, 1.1, 5, minSize=(self._min, self._min))
        return len(faces)


@dataclass
class MotionDetector:
    """Sustained motion: ``frames`` consecutive frames each changing more than ``fraction`` of pixels."""

    fraction: float = 0.02
    frames: int = 3
    _prev: np.ndarray | None = None
    _streak: int = field(default=0)

    def update(self, gray: np.ndarray) -> bool:
        small = cv2.GaussianBlur(cv2.resize(gray, (160, 120), interpolation=cv2.INTER_AREA), (5, 5), 0)
        prev, self._prev = self._prev, small
        if prev is None:
            return False
        changed = np.count_nonzero(cv2.absdiff(small, prev) > 25) / small.size
        self._streak = self._streak + 1 if changed > self.fraction else 0
        return self._streak >= self.frames

    def reset(self) -> None:
        self._prev, self._streak = None, 0


class QrReader:
    """QR codes with OpenCV's ArUco-based detector; ``thorough`` also tries a 2x upscale for small codes."""

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetectorAruco()

    def decode(self, gray: np.ndarray, thorough: bool = False) -> tuple[str, ...]:
        found = self._decode(gray)
        if not found and thorough and gray.shape[1] <= 1280:
            found = self._decode(cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
        return found

    def _decode(self, gray: np.ndarray) -> tuple[str, ...]:
        try:
            ok, texts, _, _ = self._detector.detectAndDecodeMulti(gray)
        except cv2.error:
            return ()
        return tuple(dict.fromkeys(t for t in texts if t)) if ok else ()


class FrameAnalyzer:
    """Presence (face or sustained motion) and QR codes for one stream of frames."""

    def __init__(self) -> None:
        self.faces = FaceDetector()
        self.motion = MotionDetector()
        self.qr = QrReader()

    def analyze(self, frame: np.ndarray, *, look_for_qr: bool = True, thorough: bool = False) -> FrameResult:
        gray = to_gray(frame)
        moving = self.motion.update(gray)
        codes = self.qr.decode(gray, thorough) if look_for_qr else ()
        return FrameResult(self.faces.count(gray), moving, codes)
