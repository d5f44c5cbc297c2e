"""Camera presence and QR codes on real photographs, generated QR codes and a video file."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno

from hardware.camera import Camera, PresenceTracker
from hardware.errors import DeviceMissing
from hardware.events import PresenceChanged, QrDecoded
from hardware.vision import FaceDetector, FrameAnalyzer, MotionDetector, QrReader, to_gray
from tests.hardware.support import Events

DATA = Path(__file__).parent / "data"
PERSON = DATA / "person_astronaut.jpg"
NO_PERSON = sorted(DATA.glob("no_person_*.jpg"))
TEXT = "KIOSK:APPT:2025-11-29:A7F3Q9"


def frame_of(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, path
    return cv2.resize(image, (640, 480))


def qr_frame(scale: int, angle: float, blur: int, text: str = TEXT) -> np.ndarray:
    buf = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    code = cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    assert code is not None, text
    h, w = code.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    turn[0, 2] += nw / 2 - w / 2
    turn[1, 2] += nh / 2 - h / 2
    code = cv2.warpAffine(code, turn, (nw, nh), borderValue=(255, 255, 255))
    frame = frame_of(NO_PERSON[0])
    y, x = (480 - nh) // 2, (640 - nw) // 2
    frame[y : y + nh, x : x + nw] = code
    return cv2.GaussianBlur(frame, (blur, blur), 0) if blur else frame


@pytest.fixture(scope="module")
def faces() -> FaceDetector:
    return FaceDetector()


def test_a_face_is_found_in_the_photograph_of_a_person(faces: FaceDetector) -> None:
    assert faces.count(to_gray(frame_of(PERSON))) >= 1


@pytest.mark.parametrize("path", NO_PERSON, ids=lambda p: p.stem)
def test_no_face_in_photographs_without_a_person(faces: FaceDetector, path: Path) -> None:
    assert faces.count(to_gray(frame_of(path))) == 0


@pytest.mark.parametrize("scale", [3, 5, 8])
@pytest.mark.parametrize("angle", [0, 20, 45])
@pytest.mark.parametrize("blur", [0, 3, 5])
def test_qr_codes_at_sizes_angles_and_blur(scale: int, angle: int, blur: int) -> None:
    assert QrReader().decode(to_gray(qr_frame(scale, angle, blur)), thorough=True) == (TEXT,)


def test_a_small_sharp_qr_code_needs_the_thorough_pass() -> None:
    assert QrReader().decode(to_gray(qr_frame(2, 0, 0)), thorough=True) == (TEXT,)


@pytest.mark.parametrize("path", [PERSON, *NO_PERSON], ids=lambda p: p.stem)
def test_no_qr_code_where_there_is_none(path: Path) -> None:
    assert QrReader().decode(to_gray(frame_of(path)), thorough=True) == ()


def test_sustained_motion_needs_several_changing_frames() -> None:
    motion = MotionDetector(frames=3)
    still = to_gray(frame_of(NO_PERSON[0]))
    moving = [to_gray(np.roll(frame_of(NO_PERSON[0]), 40 * i, axis=1)) for i in range(1, 5)]
    assert [motion.update(still) for _ in range(3)] == [False] * 3
    assert [motion.update(g) for g in moving] == [False, False, True, True]
    assert motion.update(moving[-1]) is False


def test_presence_tracker_holds_then_releases() -> None:
    tracker = PresenceTracker(absent_after_s=5)
    assert tracker.update(True, 0.0) is True
    assert tracker.update(False, 3.0) is None
    assert tracker.update(True, 4.0) is None
    assert tracker.update(False, 8.0) is None
    assert tracker.update(False, 9.5) is False


def test_analyzer_reports_face_and_code_together() -> None:
    frame = frame_of(PERSON)
    frame[300:480, 440:640] = cv2.resize(qr_frame(8, 0, 0)[60:420, 140:500], (200, 180))
    result = FrameAnalyzer().analyze(frame, thorough=True)
    assert result.faces >= 1
    assert result.someone


def write_video(path: Path, frames: list[np.ndarray]) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (640, 480))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()


def test_camera_worker_on_a_video_file(tmp_path: Path, events: Events) -> None:
    empty, person, code = frame_of(NO_PERSON[0]), frame_of(PERSON), qr_frame(6, 10, 0)
    video = tmp_path / "lobby.avi"
    write_video(video, [empty] * 5 + [person] * 6 + [code] * 4 + [empty] * 12)
    camera = Camera(str(video), events, idle_fps=500, active_fps=500, absent_after_s=0.0, loop_files=False)
    camera.open()
    try:
        assert camera.wait_finished(timeout=60)
    finally:
        camera.close()
    presence = events.of(PresenceChanged)
    assert presence[0] == PresenceChanged(True, "camera")
    assert presence[-1] == PresenceChanged(False, "camera")
    assert events.of(QrDecoded) == [QrDecoded(TEXT)]  # seen on 4 frames, reported once
    assert camera.frames == 27


def test_missing_camera_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(DeviceMissing):
        Camera(str(tmp_path / "none.avi")).open()
