"""The accessibility audit: every scene, on both reference panels, in both languages, at
every text size, measured as a patient meets it.

python -m devtools.a11y_audit [--only SCENE ...] [--json]

For each render: the contrast of every visible text from the rendered pixels (WCAG 1.4.6:
7:1), of every button's edge against what surrounds it (1.4.11: 3:1), enabled or not;
every text's x-height (and cap height) in mm on the panel, from the font it was drawn
with (after any shrink-to-fit); every touch target's size and the gap to its nearest
neighbour in mm (from the items' geometry, named by objectName); and any text cut off
(``devtools.layout_check``). Items under a modal layer (the idle warning, the staff
panel) are not what a patient reads then and are left out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from devtools.a11y_measure import Pixels, Rect, edge_contrast, gap, text_contrast
from devtools.layout_check import can_scroll

THRESHOLDS = {
    "text_contrast": 7.0,
    "component_contrast": 3.0,
    "target_mm": 15.0,
    "gap_mm": 2.0,
    "body_xheight_mm": 3.0,
    "small_xheight_mm": 2.5,
    "large_cap_mm": 4.8,
}
COVERS = ("countdownOverlay", "adminPanel")
"""Modal layers: while one is up, only what is on it is read or touched."""
HIDDEN_GESTURES = ("adminCorner",)
"""Not a patient's target: the staff entry is a 3 s hold on an empty corner."""
TEXT_SIZES = (False, True)


@dataclass
class Render:
    """What one render measured (the minima) and what failed in it."""

    label: str
    text_contrast: float = 21.0
    component_contrast: float = 21.0
    target_mm: float = 1e9
    gap_mm: float = 1e9
    body_xheight_mm: float = 1e9
    small_xheight_mm: float = 1e9
    large_cap_mm: float = 1e9
    problems: list[str] = field(default_factory=list)

    def low(self, key: str, value: float, what: str) -> None:
        """Keep the minimum of ``key``; a value under its threshold is a problem."""
        setattr(self, key, min(getattr(self, key), value))
        if value < THRESHOLDS[key] - 1e-6:
            self.problems.append(f"{self.label}: {key} {value:.2f} < {THRESHOLDS[key]:g}: {what}")


def _image(ui: Any) -> Pixels:
    from PySide6.QtGui import QImage

    image = ui.window.grabWindow().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return raw.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def _rect(item: Any) -> Rect:
    from devtools.layout_check import scene_rect

    r = scene_rect(item)
    return Rect(r.x(), r.y(), r.width(), r.height())


Chain = tuple[Any, ...]
"""An item's ancestors, the window's root first (PySide's parentItem() at the root is unsafe
to call in a long loop: it hands back a None it does not own)."""


def _walk(root: Any) -> list[tuple[Any, Chain]]:
    """Every item under ``root`` in paint order, with its ancestors."""
    out: list[tuple[Any, Chain]] = []
    stack: list[tuple[Any, Chain]] = [(root, ())]
    while stack:
        item, chain = stack.pop()
        out.append((item, chain))
        stack.extend((child, (*chain, item)) for child in reversed(item.childItems()))
    return out


def _shown_rect(item: Any, chain: Chain, window: Rect) -> Rect | None:
    """The part of ``item`` that can be seen: inside the window and every clipping ancestor."""
    shown: Rect | None = _rect(item).intersect(window)
    for parent in chain:
        if shown is not None and parent.clip():
            shown = shown.intersect(_rect(parent))
    return shown


def _opacity(item: Any, chain: Chain) -> float:
    value = float(item.opacity())
    for parent in chain:
        value *= parent.opacity()
    return value


def _theme(ui: Any, name: str) -> float:
    from PySide6.QtQml import QQmlEngine, QQmlExpression

    loader = ui.find("screenLoader", visible_only=False)  # any item of Main.qml's context
    value, _undefined = QQmlExpression(
        QQmlEngine.contextForObject(loader), loader, f"Theme.{name}"
    ).evaluate()
    return float(value)


def _top_cover(items: list[Any]) -> Any | None:
    covers = [i for i in items if i.objectName() in COVERS and i.isVisible() and i.opacity() > 0]
    return covers[-1] if covers else None


def _font_mm(item: Any, mm: float) -> tuple[float, float, float]:
    """The drawn font's x-height and cap height in mm (after any shrink-to-fit), and the
    pixel size it asked for. Heights scale with the pixel size: the asked font's metrics
    are scaled to the drawn size (PySide's QFont setters leak a reference to None)."""
    from PySide6.QtGui import QFontMetricsF

    from devtools.layout_check import qml_value

    asked = float(qml_value(item, "font.pixelSize"))  # type: ignore[arg-type]
    drawn = float(qml_value(item, "fontInfo.pixelSize"))  # type: ignore[arg-type]
    metrics = QFontMetricsF(item.property("font"))
    scale = drawn / asked if asked > 0 else 1.0
    return metrics.xHeight() * scale / mm, metrics.capHeight() * scale / mm, asked


def measure(ui: Any, label: str, large_text: bool) -> Render:
    """Measure what the window shows now."""
    from devtools.layout_check import text_problems

    render = Render(label)
    image = _image(ui)
    window = Rect(0, 0, image.shape[1], image.shape[0])
    mm, body = _theme(ui, "mm"), _theme(ui, "body")
    walked = _walk(ui.window.contentItem())
    cover = _top_cover([item for item, _chain in walked])

    def reachable(item: Any, chain: Chain) -> bool:
        under_cover = cover is None or item == cover or any(a == cover for a in chain)
        return bool(item.isVisible()) and _opacity(item, chain) > 0 and under_cover

    for item, chain in walked:
        if not item.inherits("QQuickText") or not item.property("text") or not reachable(item, chain):
            continue
        shown = _shown_rect(item, chain, window)
        if shown is None or shown.w < 4 or shown.h < 4:
            continue
        text = str(item.property("text"))[:40]
        box = image[round(shown.y) : round(shown.bottom), round(shown.x) : round(shown.right)]
        contrast = text_contrast(box)
        if contrast is not None:
            render.low("text_contrast", contrast, repr(text))
        x_mm, cap_mm, asked = _font_mm(item, mm)
        render.low("body_xheight_mm" if asked >= body - 0.5 else "small_xheight_mm", x_mm, repr(text))
        if large_text:
            render.low("large_cap_mm", cap_mm, repr(text))
    areas = [(i, c) for i, c in walked if i.inherits("QQuickMouseArea") and reachable(i, c)]
    hints = [_rect(i) for i, c in walked if i.objectName() == "moreHint" and reachable(i, c)]
    _measure_targets(render, areas, image, mm, window=window, hints=hints)
    render.problems += [f"{label}: clipped: {p}" for p in text_problems(ui)]
    return render


def _name(area: Any, owner: Any) -> str:
    return str(area.objectName() or (owner.objectName() if owner is not None else "") or "?")


def _measure_targets(
    render: Render,
    areas: list[tuple[Any, Chain]],
    image: Pixels,
    mm: float,
    *,
    window: Rect,
    hints: list[Rect],
) -> None:
    """Sizes of what can be touched (the part in view: a key cut off by the window's edge
    is a smaller key), the gaps between them, and the edge of each button in full view
    (one scrolled partly out of view, or under the "more" strip, is measured scrolled)."""
    targets: list[tuple[str, Rect]] = []
    for area, chain in areas:
        owner = chain[-1] if chain else None
        name = _name(area, owner)
        if name in HIDDEN_GESTURES:
            continue
        rect = _rect(area)
        # Out of view in a screen that scrolls is not cut off: the patient scrolls to it.
        shown = rect if any(can_scroll(a) for a in chain) else _shown_rect(area, chain, window)
        if shown is None:
            continue
        in_full_view = shown == rect and not any(h.intersect(rect) for h in hints)
        if in_full_view and owner is not None and owner.inherits("QQuickRectangle") and _rect(owner) == rect:
            edge = edge_contrast(image, rect)  # a button, drawn enabled or disabled
            if edge is not None:
                render.low("component_contrast", edge, name)
        if area.isEnabled():
            targets.append((name, shown))
    # A "touch anywhere" backdrop holds other targets: it is not one of a row of targets.
    backdrops = {
        i for i, (_, a) in enumerate(targets) for j, (_, b) in enumerate(targets) if i != j and a.contains(b)
    }
    for i, (name, rect) in enumerate(targets):
        render.low("target_mm", min(rect.w, rect.h) / mm, name)
        if i in backdrops:
            continue
        for j in range(i + 1, len(targets)):
            other_name, other = targets[j]
            if j not in backdrops:
                render.low("gap_mm", gap(rect, other) / mm, f"{name} / {other_name}")


def audit(
    scenes: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    text_sizes: Iterable[bool] = TEXT_SIZES,
    shots: Path | None = None,
) -> Iterator[Render]:
    """Play each scene on each reference panel, language and text size, and measure it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from devtools.ui_scenes import LANGUAGES, SCENES, show_scenes

    shown_all = show_scenes(scenes or SCENES, languages or LANGUAGES, text_sizes, prefix="kiosk-a11y-")
    with contextlib.closing(shown_all):  # a caller that stops early closes the UI at once
        for ui, shown in shown_all:
            size = f"{shown.width}x{shown.height}"
            label = f"{size} {shown.language} {'A+' if shown.large_text else 'A'} {shown.name}"
            # The staff panel resets the patient's text size: measured as shown.
            render = measure(ui, label, ui.flow.view.large_text)
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
                text = "large" if shown.large_text else "normal"
                ui.window.grabWindow().save(str(shots / f"{size}_{shown.language}_{text}_{shown.name}.png"))
            yield render


def summary(renders: Iterable[Render]) -> dict[str, Any]:
    """The minima over every render, where each was found, and every problem."""
    result: dict[str, Any] = {}
    where: dict[str, str] = {}
    problems: list[str] = []
    count = 0
    for render in renders:
        count += 1
        problems += render.problems
        for key in THRESHOLDS:
            value = getattr(render, key)
            if key not in result or value < result[key]:
                result[key] = value
                where[key] = render.label
    return {
        "renders": count,
        "minima": {k: round(v, 2) for k, v in result.items() if v < 1e8},
        "where": where,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="scene names (default: all)")
    parser.add_argument("--shots", default="", help="also save each render's PNG here")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    result = summary(audit(args.only or None, shots=Path(args.shots) if args.shots else None))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for problem in result["problems"]:
            print(problem)
        print(f"{result['renders']} renders; minima: {json.dumps(result['minima'])}")
        print(f"{len(result['problems'])} problems")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
