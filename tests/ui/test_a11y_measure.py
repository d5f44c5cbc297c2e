"""The audit's measures on pixels we draw ourselves: they find what is there, and fail
what fails."""

from __future__ import annotations

import numpy as np
import pytest

from devtools.a11y_measure import Rect, edge_contrast, gap, luminance, ratio, text_contrast


def _canvas(colour: tuple[int, int, int], width: int = 60, height: int = 30) -> np.ndarray:
    return np.tile(np.array(colour, dtype=np.uint8), (height, width, 1))


def _glyphs(image: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Three stems with anti-aliased edges, as text is drawn."""
    for x in (10, 25, 40):
        image[5:25, x : x + 3] = colour
        edge = (np.array(colour, dtype=np.float64) + image[0, 0]) / 2
        image[5:25, x - 1] = edge.astype(np.uint8)
        image[5:25, x + 3] = edge.astype(np.uint8)
    return image


def test_luminance_and_ratio_are_wcag_2s() -> None:
    assert ratio(float(luminance((255, 255, 255))), float(luminance((0, 0, 0)))) == pytest.approx(21.0)
    assert ratio(float(luminance((0x77,) * 3)), float(luminance((255, 255, 255)))) == pytest.approx(
        4.48, abs=0.01
    )


@pytest.mark.parametrize(
    ("ink", "paper", "expected"),
    [
        ((255, 255, 255), (0, 0, 0), 21.0),
        ((255, 212, 0), (0, 0, 0), 14.6),  # the theme's accent
        ((0x40, 0x40, 0x40), (0, 0, 0), 1.98),  # white text under a 75 % black dimming layer
        ((255, 140, 140), (28, 28, 28), 7.61),  # "Out today" on a board row
    ],
)
def test_text_contrast_is_read_from_the_glyphs_not_their_edges(
    ink: tuple[int, int, int], paper: tuple[int, int, int], expected: float
) -> None:
    measured = text_contrast(_glyphs(_canvas(paper), ink))
    assert measured == pytest.approx(expected, rel=0.03)


def test_an_empty_box_has_no_text_contrast() -> None:
    assert text_contrast(_canvas((0, 0, 0))) is None


def test_a_buttons_edge_is_measured_against_what_surrounds_it() -> None:
    image = _canvas((0, 0, 0), 100, 100)
    image[20:80, 20:80] = (255, 255, 255)  # border
    image[23:77, 23:77] = (28, 28, 28)  # fill
    assert edge_contrast(image, Rect(20, 20, 60, 60)) == pytest.approx(21.0)
    faint = _canvas((0, 0, 0), 100, 100)
    faint[20:80, 20:80] = (0x3A, 0x3A, 0x3A)
    assert edge_contrast(faint, Rect(20, 20, 60, 60)) == pytest.approx(1.87, abs=0.05)


def test_gaps_between_rectangles() -> None:
    assert gap(Rect(0, 0, 10, 10), Rect(12, 0, 10, 10)) == pytest.approx(2)
    assert gap(Rect(0, 0, 10, 10), Rect(13, 14, 10, 10)) == pytest.approx(5)
    assert gap(Rect(0, 0, 10, 10), Rect(5, 5, 10, 10)) == 0
