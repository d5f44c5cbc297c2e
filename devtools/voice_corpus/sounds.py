"""Lobby sounds that are not speech, for the out-of-domain clips: the kiosk must not act on them.

A cough (noise bursts with a cough's envelope: a sharp onset, a band-passed decay), a throat
clearing (low, rasping, amplitude-modulated noise), a phone ringing (the two-tone ring, an
electronic trill, a ringtone's notes) and a room with nothing but a fan in it. Seeded.
"""

from __future__ import annotations

import numpy as np

from devtools.voice_corpus.degrade import RATE_HZ, Signal, band_pass, hum, pink

LEVEL_DBFS = {"cough": -18.0, "throat": -22.0, "ring": -24.0, "noise": -42.0}
"""The active-part level each kind is placed at (speech: about -22 dBFS)."""


def _t(seconds: float) -> Signal:
    return np.arange(int(seconds * RATE_HZ)) / RATE_HZ


def cough(rng: np.random.Generator) -> Signal:
    """One to three coughs: a 20 ms burst, then 120-300 ms of decaying, band-passed noise."""
    parts = []
    for _ in range(int(rng.integers(1, 4))):
        length = float(rng.uniform(0.15, 0.35))
        t = _t(length)
        attack = 1 - np.exp(-t / 0.004)
        decay = np.exp(-t / float(rng.uniform(0.05, 0.12)))
        low, high = float(rng.uniform(200, 500)), float(rng.uniform(2500, 4500))
        body = band_pass(rng.normal(0, 1, len(t)), low, high)
        centre = float(rng.uniform(600, 1500))  # a resonance of the vocal tract
        body += 0.6 * band_pass(rng.normal(0, 1, len(t)), centre - 150, centre + 150)
        parts += [attack * decay * body, np.zeros(int(rng.uniform(0.12, 0.3) * RATE_HZ))]
    return np.concatenate(parts)


def throat(rng: np.random.Generator) -> Signal:
    """A throat clearing: 0.3-0.7 s of low noise, rasped at 25-45 Hz, rising then falling."""
    t = _t(float(rng.uniform(0.3, 0.7)))
    envelope = np.clip(np.sin(np.pi * t / t[-1]), 0.0, None) ** 0.7  # sin(pi) rounds below 0: NaN
    rasp = 0.6 + 0.4 * np.sin(2 * np.pi * float(rng.uniform(25, 45)) * t)
    body = band_pass(rng.normal(0, 1, len(t)), 80, float(rng.uniform(900, 1600)), taper_hz=200)
    out: Signal = envelope * rasp * body
    if rng.random() < 0.5:  # often a short voiced "hm" after
        f0 = float(rng.uniform(90, 160))
        th = _t(0.18)
        voiced = np.zeros(len(th))
        for k in range(1, 6):
            voiced += np.sin(2 * np.pi * f0 * k * th) / k
        out = np.concatenate([out, np.zeros(800), voiced * np.hanning(len(th)) * 0.7])
    return out


def ring(rng: np.random.Generator, variant: int) -> Signal:
    """A phone: the 440+480 Hz ring, a desk phone's 1000/1250 Hz trill, or a ringtone's notes."""
    style = variant % 3
    if style == 0:
        t = _t(float(rng.uniform(1.2, 2.0)))
        return np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 480 * t)
    if style == 1:
        t = _t(0.4)
        trill = np.sin(2 * np.pi * np.where((t * 16) % 1 < 0.5, 1000, 1250) * t)
        return np.concatenate([trill, np.zeros(3200), trill, np.zeros(3200), trill])
    notes = rng.choice([659.0, 784.0, 880.0, 988.0, 1175.0], size=8)
    tone = [np.sin(2 * np.pi * f * _t(0.14)) * np.hanning(int(0.14 * RATE_HZ)) for f in notes]
    out: Signal = np.concatenate(tone)
    return out


def room(rng: np.random.Generator) -> Signal:
    """Nobody speaking: 1.5-2.5 s of a fan or the building's air."""
    n = int(rng.uniform(1.5, 2.5) * RATE_HZ)
    return hum(n, rng) if rng.random() < 0.5 else pink(n, rng)


def make(kind: str, variant: int, rng: np.random.Generator) -> Signal:
    """The sound of ``kind`` ("cough", "throat", "ring", "noise"), variant ``variant``."""
    if kind == "cough":
        return cough(rng)
    if kind == "throat":
        return throat(rng)
    if kind == "ring":
        return ring(rng, variant)
    if kind == "noise":
        return room(rng)
    raise ValueError(f"unknown sound {kind!r} (known: cough, throat, ring, noise)")
