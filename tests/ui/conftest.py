"""The real QML UI, offscreen, over the sample day: a ``Patient`` clicks what a patient clicks."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from devtools.ui_sample import STAFF_PINS, SampleDay
from ui.app import KioskUi, UiOptions

SETTLE_TIMEOUT_S = 2.0
"""How long ``Patient.settle`` waits for a PIN check running off the Qt thread."""


@pytest.fixture(scope="session")
def qapp_cls() -> type[QGuiApplication]:
    return QGuiApplication


class Patient:
    """Touches the screen by objectName and reads what it shows."""

    def __init__(self, ui: KioskUi, app: QGuiApplication) -> None:
        self.ui = ui
        self.app = app

    def settle(self, timeout_s: float = SETTLE_TIMEOUT_S) -> None:
        """Run pending events, wait for a PIN being checked off the Qt thread, and lay out.

        Raises ``AssertionError`` if the PIN check has not answered within ``timeout_s``:
        a test that went on would read a screen that is still waiting."""
        self.app.processEvents()
        admin = getattr(self.ui, "admin_model", None)
        deadline = time.monotonic() + timeout_s
        while admin is not None and admin.property("checking"):
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"settle: the staff PIN check had not answered after {timeout_s} s "
                    f"(admin_model.checking is still true, screen {self.ui.flow.view.screen})"
                )
            QTest.qWait(10)
        self.ui.window.grabWindow()  # polish and lay out, as a frame would

    def item(self, name: str) -> QQuickItem:
        self.settle()
        found = self.ui.find(name) or self._scroll_to(name)
        assert found is not None, f"no visible item {name!r} on screen {self.ui.flow.view.screen}"
        return found

    def _scroll_to(self, name: str) -> QQuickItem | None:
        """Slide each list that scrolls, as a person looking for ``name`` would (a list makes
        only the rows in view), or wait for the provider board's next page."""
        board = self.ui.find("providerBoard")
        pages = int(board.property("pages")) if board is not None else 1
        for page in range(pages if board is not None else 0):
            board.setProperty("page", page)  # type: ignore[union-attr]
            self.settle()
            found = self.ui.find(name)
            if found is not None:
                return found
        for flick in [i for i in self.ui.items() if i.inherits("QQuickFlickable") and i.isVisible()]:
            if not flick.property("interactive"):
                continue
            end = float(flick.property("contentHeight")) - flick.height()
            y = 0.0
            while y <= end + flick.height() / 2:
                flick.setProperty("contentY", min(y, max(0.0, end)))
                self.settle()
                found = self.ui.find(name)
                if found is not None:
                    self._into_view(flick, found)
                    return found
                y += flick.height() / 2
        return None

    def tap(self, name: str) -> None:
        item = self.item(name)
        assert item.isEnabled(), f"{name} is disabled"
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
        QTest.mouseClick(self.ui.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        self.settle()

    def type(self, keys: str) -> None:
        for key in keys:
            self.tap(f"key_{key}")

    def _into_view(self, flick: QQuickItem, item: QQuickItem) -> None:
        """Slide on until the whole of ``item`` shows (a touch lands on what is seen)."""
        top = item.mapToItem(flick, QPointF(0, 0)).y()
        bottom = top + item.height()
        shift = top if top < 0 else bottom - flick.height() if bottom > flick.height() else 0.0
        if shift:
            flick.setProperty("contentY", float(flick.property("contentY")) + shift)
            self.settle()

    def text(self, name: str) -> str:
        return str(self.item(name).property("text"))

    def texts(self) -> list[str]:
        """Every text of every visible item on the screen."""
        self.settle()
        out = []
        for item in self.ui.items():
            value = item.property("text")
            if isinstance(value, str) and value and item.isVisible():
                out.append(value)
        return out

    def all_texts(self) -> list[str]:
        """Every text property of every item, visible or not."""
        self.settle()
        return [str(v) for i in self.ui.items() if isinstance(v := i.property("text"), str) and v]

    def sees(self, fragment: str) -> bool:
        return any(fragment in t for t in self.texts())

    @property
    def screen(self) -> str:
        self.settle()
        return str(self.shown("screen"))

    def shown(self, name: str) -> object:
        """A flow-model property, read as QML reads it (through Qt's meta-object)."""
        return self.ui.flow_model.property(name)

    def long_press(self, name: str, ms: int) -> None:
        item = self.item(name)
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
        QTest.mousePress(self.ui.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        QTest.qWait(ms)
        QTest.mouseRelease(self.ui.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        self.settle()


class Staff(Patient):
    """Signs in to the staff panel with a sample PIN and touches it by objectName."""

    def sign_in(self, who: str) -> None:
        self.ui.open_admin()
        self.tap(f"who_{who}")
        self.type_pin(STAFF_PINS[who][1])
        self.tap("pinEnterButton")

    def type_pin(self, pin: str) -> None:
        for key in pin:
            self.tap(f"pin_{key}")

    def visible(self, name: str) -> bool:
        self.settle()
        return self.ui.find(name) is not None

    @property
    def page(self) -> str:
        self.settle()
        return self.ui.admin_model.panel.page


@pytest.fixture
def day(tmp_path: Path) -> Iterator[SampleDay]:
    d = SampleDay(tmp_path)
    yield d
    d.close()


@pytest.fixture
def kiosk(qapp: QGuiApplication, day: SampleDay) -> Iterator[KioskUi]:
    ui = KioskUi(
        day.flow(), day.board, lambda: day.age_s, UiOptions(tick_ms=0, dim_after_s=60), clock=day.clock
    )
    ui.show()
    yield ui
    ui.window.setProperty("allowClose", True)
    ui.close()
    qapp.processEvents()


@pytest.fixture
def patient(kiosk: KioskUi, qapp: QGuiApplication) -> Patient:
    return Patient(kiosk, qapp)


__all__ = ["Patient", "QPoint", "Staff"]
