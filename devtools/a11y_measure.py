"""The accessibility audit's measures, as pure functions over pixels and rectangles.

Contrast is WCAG 2's ratio of relative luminances, measured from what was rendered (an
RGB array), not from the colours the QML asked for: an overlay, an opacity or a dimmed
state shows up here as it does on the glass. Sizes are millimetres on the panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Pixels = npt.NDArray[np.uint8]  # (height, width, 3) RGB

_INK_MIN_RATIO = 1.05
"""A pixel this close to the background is background (compression-free renders are exact)."""
_INK_PERCENTILE = 90
"""Glyph cores, not their anti-aliased edges: the contrast most ink pixels reach or beat."""


@dataclass(frozen=True)
class Rect:
    """A rectangle in scene pixels."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def contains(self, other: Rect, slack: float = 0.5) -> bool:
        return (
            other.x >= self.x - slack
            and other.y >= self.y - slack
            and other.right <= self.right + slack
            and other.bottom <= self.bottom + slack
        )

    def intersect(self, other: Rect) -> Rect | None:
        x, y = max(self.x, other.x), max(self.y, other.y)
        r, b = min(self.right, other.right), min(self.bottom, other.bottom)
        return Rect(x, y, r - x, b - y) if r > x and b > y else None


def luminance(rgb: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """WCAG 2 relative luminance of sRGB values 0..255 (last axis: R, G, B)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.asarray(linear @ np.array([0.2126, 0.7152, 0.0722]))


def ratio(a: float, b: float) -> float:
    """The contrast ratio of two relative luminances (1 to 21)."""
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def _mode_colour(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    flat = pixels.reshape(-1, 3)
    packed = (flat[:, 0].astype(np.uint32) << 16) | (flat[:, 1].astype(np.uint32) << 8) | flat[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    top = int(values[int(np.argmax(counts))])
    return np.array([(top >> 16) & 255, (top >> 8) & 255, top & 255], dtype=np.uint8)


def text_contrast(pixels: Pixels) -> float | None:
    """The contrast of text drawn in ``pixels`` (its box): the commonest colour is the
    background, the ink is where most glyph pixels reach. None when nothing is drawn."""
    if pixels.size == 0:
        return None
    background = float(luminance(_mode_colour(pixels)))
    lum = luminance(pixels.reshape(-1, 3))
    ratios = (np.maximum(lum, background) + 0.05) / (np.minimum(lum, background) + 0.05)
    ink = ratios[ratios > _INK_MIN_RATIO]
    if ink.size == 0:
        return None
    return float(np.percentile(ink, _INK_PERCENTILE))


def edge_contrast(image: Pixels, box: Rect, band: int = 2) -> float | None:
    """A component's boundary against what surrounds it (WCAG 1.4.11): the colour just
    inside its edge (its border, or its fill) against the colour just outside, along the
    middle half of each side (rounded corners left out). None when the box touches the
    image's edge on every side."""
    height, width = image.shape[:2]
    x0, y0 = round(box.x), round(box.y)
    x1, y1 = round(box.right), round(box.bottom)
    qx, qy = max(1, (x1 - x0) // 4), max(1, (y1 - y0) // 4)
    inside: list[Pixels] = []
    outside: list[Pixels] = []

    def take(target: list[Pixels], ys: slice, xs: slice) -> None:
        if ys.start >= 0 and ys.stop <= height and xs.start >= 0 and xs.stop <= width:
            part = image[ys, xs]
            if part.size:
                target.append(part.reshape(-1, 3))

    for inner, outer in (
        (
            (slice(y0, y0 + band), slice(x0 + qx, x1 - qx)),
            (slice(y0 - 2 - band, y0 - 2), slice(x0 + qx, x1 - qx)),
        ),
        (
            (slice(y1 - band, y1), slice(x0 + qx, x1 - qx)),
            (slice(y1 + 2, y1 + 2 + band), slice(x0 + qx, x1 - qx)),
        ),
        (
            (slice(y0 + qy, y1 - qy), slice(x0, x0 + band)),
            (slice(y0 + qy, y1 - qy), slice(x0 - 2 - band, x0 - 2)),
        ),
        (
            (slice(y0 + qy, y1 - qy), slice(x1 - band, x1)),
            (slice(y0 + qy, y1 - qy), slice(x1 + 2, x1 + 2 + band)),
        ),
    ):
        before = len(outside)
        take(outside, *outer)
        if len(outside) > before:
            take(inside, *inner)
    if not inside or not outside:
        return None
    edge = float(luminance(_mode_colour(np.concatenate(inside))))
    around = float(luminance(_mode_colour(np.concatenate(outside))))
    return ratio(edge, around)


def gap(a: Rect, b: Rect) -> float:
    """The shortest distance between two rectangles (0 when they touch or overlap)."""
    dx = max(0.0, b.x - a.right, a.x - b.right)
    dy = max(0.0, b.y - a.bottom, a.y - b.bottom)
    return float(np.hypot(dx, dy))


__all__ = ["Pixels", "Rect", "edge_contrast", "gap", "luminance", "ratio", "text_contrast"]
