"""Build the touch UI: the Qt Quick engine, the two view models, the window, the 1 s tick.

``KioskUi`` needs a ``QGuiApplication`` to exist already (the caller owns the event loop).
The window is full screen and frameless in production: no chrome, no key that leaves; staff
leave through the admin entry (``FlowModel.adminRequested``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEventLoop, QMetaObject, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine, QQmlEngine, qmlRegisterSingletonType
from PySide6.QtQuick import QQuickItem, QQuickWindow

from config.settings import Settings, StaffSettings
from core.clock import Clock, SystemClock
from core.errors import KioskError
from domain.admin import AdminSession
from domain.admin_backend import AdminBackend
from domain.flow import CheckInFlow
from ui.admin_model import AdminModel
from ui.board_model import AgeSource, BoardFrame, BoardModel, BoardSource, Presented
from ui.face import VoiceActivity
from ui.face_model import FaceModel
from ui.flow_model import FlowModel
from ui.translations import Translations

log = logging.getLogger(__name__)

QML_DIR = Path(__file__).resolve().parent / "qml"
_URI = "Kiosk"


class UiError(KioskError):
    """The QML could not be loaded."""


@dataclass(frozen=True)
class UiOptions:
    width: int = 800
    height: int = 480
    fullscreen: bool = False
    dim_after_s: float = 120.0
    stale_after_s: float = 900.0
    practice_name: str = "Our practice"
    px_per_mm: float = 0.0
    reduce_motion: bool = False
    tick_ms: int = 1000  # 0: no timer (tests and screenshots tick by hand)
    reconcile_ms: int = 5000  # the board reads the cache again this often (0: never)

    @classmethod
    def from_settings(cls, settings: Settings) -> UiOptions:
        ui = settings.ui
        return cls(
            width=ui.width,
            height=ui.height,
            fullscreen=ui.fullscreen,
            dim_after_s=ui.dim_after_s,
            stale_after_s=settings.kiosk.stale_after_s,
            practice_name=ui.practice_name,
            px_per_mm=ui.px_per_mm,
            reduce_motion=ui.reduce_motion,
        )


class _Registry:
    """QML singletons are registered once per process; each engine gets its own UI's models."""

    registered = False
    building: KioskUi | None = None

    @classmethod
    def register(cls) -> None:
        if cls.registered:
            return
        # The stubs want bytes for names that PySide accepts as str.
        qmlRegisterSingletonType(FlowModel, _URI, 1, 0, "Flow", cls._flow)  # type: ignore[call-overload]
        qmlRegisterSingletonType(BoardModel, _URI, 1, 0, "Board", cls._board)  # type: ignore[call-overload]
        qmlRegisterSingletonType(AdminModel, _URI, 1, 0, "Admin", cls._admin)  # type: ignore[call-overload]
        qmlRegisterSingletonType(FaceModel, _URI, 1, 0, "Face", cls._face)  # type: ignore[call-overload]
        theme = QUrl.fromLocalFile(str(QML_DIR / "Theme.qml"))
        qmlRegisterSingletonType(theme, _URI, 1, 0, "Theme")  # type: ignore[call-overload]
        cls.registered = True

    @classmethod
    def _ui(cls, singleton: str) -> KioskUi:
        if cls.building is None:
            raise UiError(f"the {singleton} singleton was requested outside KioskUi()")
        return cls.building

    @classmethod
    def _flow(cls, *_engine: object) -> QObject:
        return cls._ui("Flow").flow_model

    @classmethod
    def _board(cls, *_engine: object) -> QObject:
        return cls._ui("Board").board_model

    @classmethod
    def _admin(cls, *_engine: object) -> QObject:
        return cls._ui("Admin").admin_model

    @classmethod
    def _face(cls, *_engine: object) -> QObject:
        return cls._ui("Face").face_model


class KioskUi(QObject):
    def __init__(
        self,
        flow: CheckInFlow,
        board_source: BoardSource,
        cache_age: AgeSource,
        options: UiOptions | None = None,
        admin: AdminBackend | None = None,
        *,
        on_board_presented: Presented | None = None,
        clock: Clock | None = None,
        voice: VoiceActivity | None = None,
    ) -> None:
        """``on_board_presented`` is told, on the render thread, of each presented frame
        whose board differs from the last one (``BoardModel.attach_window``)."""
        super().__init__()
        if QGuiApplication.instance() is None:
            raise UiError("KioskUi needs a QGuiApplication")
        self.options = options or UiOptions()
        self.flow = flow
        self.flow_model = FlowModel(
            flow,
            dim_after_s=self.options.dim_after_s,
            practice_name=self.options.practice_name,
            px_per_mm=self.options.px_per_mm,
            parent=self,
        )
        self.board_model = BoardModel(board_source, cache_age, self.options.stale_after_s, parent=self)
        self.admin_model = AdminModel(admin or _no_staff(board_source), parent=self)
        self.face_model = FaceModel(
            flow, clock or SystemClock(), voice=voice, reduce_motion=self.options.reduce_motion, parent=self
        )
        flow.add_listener(self.admin_model.on_flow_view)
        self.flow_model.adminRequested.connect(self.open_admin)
        for model in (self.flow_model, self.board_model, self.admin_model, self.face_model):
            QQmlEngine.setObjectOwnership(model, QQmlEngine.ObjectOwnership.CppOwnership)
        self.engine = QQmlApplicationEngine()
        self.translations = Translations(self.engine, self)
        self.flow_model.languageSwitched.connect(self.translations.switch)
        _Registry.register()
        _Registry.building = self
        try:
            self.engine.load(QUrl.fromLocalFile(str(QML_DIR / "Main.qml")))
        finally:
            _Registry.building = None
        roots = self.engine.rootObjects()
        if not roots or not isinstance(roots[0], QQuickWindow):
            raise UiError(f"could not load {QML_DIR / 'Main.qml'}")
        self.window: QQuickWindow = roots[0]
        self.board_model.attach_window(self.window, on_board_presented or _ignore_frame)
        self.board_model.reconcile_every(self.options.reconcile_ms)
        self.translations.switch(flow.view.language)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        if self.options.tick_ms:
            self.timer.start(self.options.tick_ms)

    def tick(self) -> None:
        self.flow_model.tick()
        self.board_model.refresh_age()
        self.admin_model.tick()
        self.face_model.tick()

    def open_admin(self) -> None:
        """The staff entry: the patient flow is reset first, so no patient data stays on screen."""
        self.flow.reset()
        self.admin_model.open()

    def show(self) -> None:
        self.window.resize(self.options.width, self.options.height)
        if self.options.fullscreen:
            self.window.setFlags(self.window.flags() | Qt.WindowType.FramelessWindowHint)
            self.window.showFullScreen()
        else:
            self.window.show()

    def resize(self, width: int, height: int, px_per_mm: float | None = None) -> None:
        """A window of ``width`` x ``height`` px (and, when given, the panel's density)."""
        if px_per_mm is not None:
            self.flow_model.set_px_per_mm(px_per_mm)
        self.window.resize(width, height)
        self.window.contentItem().setSize(self.window.size().toSizeF())

    def items(self) -> list[QQuickItem]:
        """Every item in the window, depth first (Loader and Repeater children included)."""
        out: list[QQuickItem] = []
        stack = [self.window.contentItem()]
        while stack:
            item = stack.pop()
            out.append(item)
            stack.extend(reversed(item.childItems()))
        return out

    def find(self, object_name: str, visible_only: bool = True) -> QQuickItem | None:
        """The item a test (or a patient) would press, by its objectName."""
        for item in self.items():
            if item.objectName() == object_name and (item.isVisible() or not visible_only):
                return item
        return None

    def close(self, timeout_s: float = 5.0) -> None:
        """Close the window from Qt's event loop, not from this call.

        ``QWindow.close`` called from Python keeps the interpreter lock while it waits for
        the render thread, and the render thread may be waiting for that lock in a frame
        hook (gdb: 5 of 12 kiosks stopped as the screen came up hung so). Invoked through
        the meta-object system and run by ``processEvents`` (which lets the lock go), the
        close and the hook each finish."""
        self.timer.stop()
        self.board_model.detach()
        self.admin_model.detach()
        self.window.setProperty("allowClose", True)
        QMetaObject.invokeMethod(self.window, "close", Qt.ConnectionType.QueuedConnection)
        deadline = time.monotonic() + timeout_s
        while self.window.isVisible() and time.monotonic() < deadline:
            QGuiApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if self.window.isVisible():
            log.warning("the window did not close within %.0f s", timeout_s)
        self.engine.deleteLater()


def _ignore_frame(_frame: BoardFrame) -> None:
    """No one publishes receipts (tests, screenshots)."""


def _no_staff(board: BoardSource) -> AdminBackend:
    """A panel nobody can sign in to (no staff configured)."""
    clock = SystemClock()
    session = AdminSession(StaffSettings(), "", clock, lambda _msg: None)
    return AdminBackend(session, clock, board, lambda _provider: [])
