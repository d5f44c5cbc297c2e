"""The call's ear: the line's own prompt coming back as echo (a PBX's, a handset's) is no
caller speaking; a caller talking over it is. Real espeak-ng prompts through G.711 both
ways; the echo delayed, attenuated and smeared as a line's hybrid does."""

from __future__ import annotations

import numpy as np
import pytest

from phone import g711
from phone.ear import FRAME, CallEar
from phone.prompts import PromptRenderer

_RENDERER = PromptRenderer()
_PROMPT = (
    "If this is an emergency, hang up and dial nine one one. Thank you for calling Riverside Family Practice."
)


def _codec(x: np.ndarray) -> np.ndarray:
    return g711.decode(g711.encode(np.clip(np.round(x), -32768, 32767).astype(np.int16), 0), 0).astype(
        np.float64
    )


def _run(echo_gain: float, delay_ms: int, smear: tuple[float, ...] = (1.0,), talk: str = "") -> list[str]:
    """The ear's events while the line says the prompt and the caller's side sends back its echo
    (and, with ``talk``, the caller says it 2 s in)."""
    sent = _codec(np.concatenate([_RENDERER.render(_PROMPT, "en"), np.zeros(8000, np.int16)]))
    echo = np.convolve(np.concatenate([np.zeros(delay_ms * 8), sent])[: len(sent)] * echo_gain, smear)[
        : len(sent)
    ]
    if talk:
        words = _RENDERER.render(talk, "en").astype(np.float64) * 0.5
        echo[16000 : 16000 + len(words)] += words
    heard = _codec(echo).astype(np.int16)
    ear, events = CallEar(), []
    for i in range(0, len(sent) - FRAME, FRAME):
        ear.sent(sent[i : i + FRAME].astype(np.int16), bool(np.any(sent[i : i + FRAME])))
        event, _ = ear.hear(heard[i : i + FRAME])
        if event:
            events.append(event)
    return events


@pytest.mark.parametrize(
    ("gain", "delay_ms", "smear"),
    [(0.5, 60, (1.0,)), (1.0, 200, (1.0,)), (0.7, 120, (0.6, 0.3, -0.2, 0.1, 0.05)), (0.3, 400, (1.0, 0.5))],
)
def test_the_lines_own_echo_is_no_caller_speaking(
    gain: float, delay_ms: int, smear: tuple[float, ...]
) -> None:
    assert _run(gain, delay_ms, smear) == []


def test_the_same_echo_heard_raw_would_have_stopped_the_prompt() -> None:
    """The guard is what keeps the echo out: with no echo taken out, the VAD starts on it."""
    sent = _codec(_RENDERER.render(_PROMPT, "en"))
    ear, starts = CallEar(), 0
    for i in range(0, len(sent) - FRAME, FRAME):  # the ear never told what the line sent
        event, _ = ear.hear((np.concatenate([np.zeros(480), sent])[i : i + FRAME] * 0.5).astype(np.int16))
        starts += event == "start"
    assert starts >= 1


@pytest.mark.parametrize(("gain", "delay_ms"), [(0.5, 60), (0.0, 0), (0.8, 250)])
def test_a_caller_talking_over_the_prompt_is_heard(gain: float, delay_ms: int) -> None:
    events = _run(gain, delay_ms, talk="front desk please")
    assert events[:2] == ["start", "end"], events
