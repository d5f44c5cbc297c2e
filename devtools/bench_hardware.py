"""Benchmark: camera frames per second (presence + QR on 640x480) and I/O board round trips over a pty.

``camera_fps`` is the analysis alone (``FrameAnalyzer.analyze`` in a loop: OpenCV's face
cascade and QR detector, which is almost all of it); ``camera_worker_fps`` is the camera as
it runs in a kiosk, on its ``Worker``, reading a video of the same frames with its frame
pacing out of the way. Both are CPU-bound and follow the machine's load.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from hardware.camera import Camera
from hardware.ioboard import IoBoard
from hardware.ioboard_sim import BoardSimulator
from hardware.vision import FrameAnalyzer

_PHOTOS = Path(__file__).resolve().parent.parent / "tests" / "hardware" / "data"


def _scenes() -> list[np.ndarray]:
    """The test photographs (a person and empty scenes) when in a checkout, else noisy gradients."""
    photos = [cv2.imread(str(path)) for path in sorted(_PHOTOS.glob("*.jpg"))]
    scenes = [cv2.resize(photo, (640, 480)) for photo in photos if photo is not None]
    if scenes:
        return scenes
    rng = np.random.default_rng(0)
    base = np.tile(np.linspace(40, 200, 640, dtype=np.uint8), (480, 1))
    noisy = [np.clip(base.astype(np.int16) + rng.integers(-8, 8, base.shape), 0, 255) for _ in range(4)]
    return [cv2.cvtColor(n.astype(np.uint8), cv2.COLOR_GRAY2BGR) for n in noisy]


def _frames() -> list[np.ndarray]:
    """640x480 frames: each scene as it is and with a QR code in view."""
    frames = []
    for i, scene in enumerate(_scenes() * 2):
        frame = scene.copy()
        if i % 2 == 0:
            qr = _qr_image(f"KIOSK:APPT:BENCH:{i}")
            h, w = qr.shape[:2]
            frame[100 : 100 + h, 200 : 200 + w] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
        frames.append(frame)
    return frames


def _qr_image(text: str) -> np.ndarray:
    qr = cv2.QRCodeEncoder.create().encode(text)
    return cv2.resize(qr, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)


def camera_fps(seconds: float) -> float:
    analyzer = FrameAnalyzer()
    frames = _frames()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        analyzer.analyze(frames[count % len(frames)])
        count += 1
    return count / (time.perf_counter() - start)


def camera_worker_fps(frame_count: int) -> float:
    """Frames per second through ``hardware.camera.Camera`` (its worker reads, analyses and
    paces), from a video file, as fast as the analysis allows."""
    frames = _frames()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-camera-") as tmp:
        video = Path(tmp) / "lobby.avi"
        writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 10, (640, 480))
        for i in range(frame_count):
            writer.write(frames[i % len(frames)])
        writer.release()
        camera = Camera(str(video), idle_fps=1000.0, active_fps=1000.0, loop_files=False)
        start = time.perf_counter()
        camera.open()
        try:
            if not camera.wait_finished(timeout=300):
                raise RuntimeError("the camera worker did not finish the video")
            elapsed = time.perf_counter() - start
        finally:
            camera.close()
        return camera.frames / elapsed


def io_board_rtt_ms(pings: int) -> dict[str, float]:
    sim = BoardSimulator().start()
    board = IoBoard(sim.url)
    try:
        board.open()
        rtts = []
        for _ in range(pings):
            start = time.perf_counter()
            if board.ping(timeout=1.0):
                rtts.append((time.perf_counter() - start) * 1000)
    finally:
        board.close()
        sim.stop()
    if not rtts:
        return {"p50": float("nan"), "p99": float("nan"), "lost": pings}
    cuts = statistics.quantiles(rtts, n=100) if len(rtts) > 1 else rtts * 99
    return {"p50": round(statistics.median(rtts), 3), "p99": round(cuts[98], 3), "lost": pings - len(rtts)}


def run_bench(quick: bool = False) -> dict[str, object]:
    """``{"camera_fps": float, "camera_worker_fps": float, "io_board_rtt_ms": {"p50": ms,
    "p99": ms, "lost": n}}``."""
    return {
        "camera_fps": round(camera_fps(1.0 if quick else 5.0), 1),
        "camera_worker_fps": round(camera_worker_fps(10 if quick else 90), 1),
        "io_board_rtt_ms": io_board_rtt_ms(100 if quick else 1000),
    }


if __name__ == "__main__":
    result = run_bench()
    Path("build").mkdir(exist_ok=True)
    Path("build/bench-hardware.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
