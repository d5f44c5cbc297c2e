"""What a patient would find cut off on a rendered screen: text that is truncated, wider
or taller than its item, outside the window, or clipped by an ancestor that does not scroll.

The layout test and the accessibility audit both read a scene through this.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtQml import QQmlEngine, QQmlExpression
from PySide6.QtQuick import QQuickItem

from ui.app import KioskUi

TOLERANCE_PX = 1.5


def scene_rect(item: QQuickItem) -> QRectF:
    top_left = item.mapToScene(QPointF(0, 0))
    return QRectF(top_left.x(), top_left.y(), item.width(), item.height())


def qml_value(item: QQuickItem, expression: str) -> object:
    """A property as QML sees it (enums and grouped properties have no Python converter)."""
    value, _undefined = QQmlExpression(QQmlEngine.contextForObject(item), item, expression).evaluate()
    return value


def parent_of(item: QQuickItem, root: QQuickItem) -> QQuickItem | None:
    """``item.parentItem()``, but never asked of the window's root: there PySide hands back
    a None it does not own, and a long audit ends with the interpreter freeing None.
    (``item.window()`` is no way to find the root: the window dies with its wrapper.)"""
    return None if item == root else item.parentItem()


def clipping_ancestor(item: QQuickItem, root: QQuickItem) -> QQuickItem | None:
    """The nearest ancestor that clips, unless it scrolls (a list's rows may lie outside)."""
    parent = parent_of(item, root)
    while parent is not None:
        if can_scroll(parent):
            return None
        if parent.clip():
            return parent
        parent = parent_of(parent, root)
    return None


def can_scroll(item: QQuickItem) -> bool:
    """A Flickable with more to show than fits (its rows may lie outside its view)."""
    return (
        item.inherits("QQuickFlickable")
        and bool(item.property("interactive"))
        and float(item.property("contentHeight")) > item.height() + TOLERANCE_PX
    )


def _scrolls(item: QQuickItem, root: QQuickItem) -> bool:
    """Inside something that scrolls: out of view is not cut off."""
    parent = parent_of(item, root)
    while parent is not None:
        if can_scroll(parent):
            return True
        parent = parent_of(parent, root)
    return False


def _grown(rect: QRectF) -> QRectF:
    t = TOLERANCE_PX
    return rect.adjusted(-t, -t, t, t)


def text_problems(ui: KioskUi) -> list[str]:
    """Every visible text of the window that does not show whole."""
    window = QRectF(0, 0, ui.window.width(), ui.window.height())
    root = ui.window.contentItem()
    found = []
    for item in ui.items():
        if not item.inherits("QQuickText"):
            continue
        if not item.isVisible() or not item.property("text") or item.opacity() == 0:
            continue
        text = str(item.property("text"))
        width, height = item.width(), item.height()
        if item.property("truncated"):
            found.append(f"truncated: {text!r}")
        no_wrap = int(qml_value(item, "wrapMode + 0")) == 0 and int(qml_value(item, "elide + 0")) == 0  # type: ignore[call-overload]
        if no_wrap and item.property("implicitWidth") > width + TOLERANCE_PX:
            found.append(
                f"wider than its item ({item.property('implicitWidth'):.0f} > {width:.0f}): {text!r}"
            )
        if item.property("contentWidth") > width + TOLERANCE_PX:
            found.append(f"content wider than its item: {text!r}")
        if item.property("contentHeight") > height + TOLERANCE_PX:
            found.append(
                f"content taller than its item ({item.property('contentHeight'):.0f} > {height:.0f}):"
                f" {text!r}"
            )
        rect = scene_rect(item)
        if not _grown(window).contains(rect) and not _scrolls(item, root):
            found.append(f"outside the window {rect.getRect()}: {text!r}")
        clipper = clipping_ancestor(item, root)
        if clipper is not None and not _grown(scene_rect(clipper)).contains(rect):
            found.append(f"cut off by a clipping {clipper.objectName() or 'item'}: {text!r}")
        parent = parent_of(item, root)
        sized = parent is not None and parent.width() > 0 and parent.height() > 0
        if parent is not None and sized and not _grown(scene_rect(parent)).contains(rect):
            found.append(f"outside its parent: {text!r}")
    return found


__all__ = [
    "TOLERANCE_PX",
    "can_scroll",
    "clipping_ancestor",
    "parent_of",
    "qml_value",
    "scene_rect",
    "text_problems",
]
