"""Every text colour of the theme on every background it is drawn on reads at >= 7:1
(WCAG 2 AAA), computed from ``ui/qml/Theme.qml`` itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

THEME = Path(__file__).resolve().parents[2] / "ui" / "qml" / "Theme.qml"
AAA = 7.0

# (text, background) as the QML draws them. Disabled controls are exempt (WCAG 1.4.6).
PAIRS = [
    ("fg", "bg"),
    ("muted", "bg"),
    ("accent", "bg"),
    ("good", "bg"),
    ("warn", "bg"),
    ("bad", "bg"),
    ("accentText", "accent"),  # primary buttons
    ("fg", "panel"),  # buttons, board rows
    ("muted", "panel"),
    ("good", "panel"),  # board statuses
    ("warn", "panel"),
    ("bad", "panel"),
    ("fg", "pressed"),  # a button while pressed
]


def _colours() -> dict[str, str]:
    text = THEME.read_text(encoding="utf-8")
    return dict(re.findall(r'property color (\w+): "(#[0-9A-Fa-f]{6})"', text))


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_ratio_is_computed_as_wcag_defines_it() -> None:
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast("#000000", "#000000") == pytest.approx(1.0)


@pytest.mark.parametrize(("text", "background"), PAIRS, ids=[f"{t}-on-{b}" for t, b in PAIRS])
def test_theme_text_reads_at_seven_to_one(text: str, background: str) -> None:
    colours = _colours()
    ratio = contrast(colours[text], colours[background])
    assert ratio >= AAA, f"{text} {colours[text]} on {background} {colours[background]}: {ratio:.2f}:1"
