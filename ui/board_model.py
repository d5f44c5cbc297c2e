"""``Board`` in QML: the provider board of the attract screen, one row per provider.

Reads the cache through a ``BoardSource`` on the Qt thread. ``KioskSync`` tells it about a
change on the sync thread (``on_sync_change``); a queued signal brings that to the Qt
thread, so the board refreshes in the same moment the cache changes. It also reads the
cache again every few seconds (``reconcile_every``) and on every link change, so a
notification that was somehow missed is drawn anyway.

Receipts come from the renderer: attached to its window (``attach_window``), the model
takes a snapshot of its rows and their status versions when the scene graph synchronizes
(what that frame will draw), and hands the snapshot to ``on_presented`` once the frame was
swapped onto the screen. Both signals arrive on the render thread (the GUI thread with
the basic render loop), so ``on_presented`` must be thread-safe (it posts to the sync
worker).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtQuick import QQuickWindow

from domain.board import BoardRow, board_rows
from sync.cache import Provider
from sync.messages import ProviderStatus
from ui.qt_signals import emit
from ui.relay import Relay

_REFRESH_ON = ("status", "schedule", "link", "hub")


BoardSource = Callable[[], tuple[list[Provider], dict[str, ProviderStatus]]]
AgeSource = Callable[[], float]


@dataclass(frozen=True)
class BoardFrame:
    """What one frame of the board drew: its rows, and the status version of each row."""

    rows: tuple[BoardRow, ...] = ()
    versions: Mapping[str, int] = field(default_factory=dict)


Presented = Callable[[BoardFrame], None]


_ROLES = {
    Qt.ItemDataRole.UserRole + 1: "providerId",
    Qt.ItemDataRole.UserRole + 2: "name",
    Qt.ItemDataRole.UserRole + 3: "status",
    Qt.ItemDataRole.UserRole + 4: "delayMin",
    Qt.ItemDataRole.UserRole + 5: "leavingAt",
}
_FIELDS = {
    "providerId": "provider_id",
    "name": "name",
    "status": "state",
    "delayMin": "delay_min",
    "leavingAt": "leaving_at",
}


class BoardModel(QAbstractListModel):
    freshnessChanged = Signal()
    countChanged = Signal()

    def __init__(
        self,
        source: BoardSource,
        age: AgeSource,
        stale_after_s: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._age = age
        self._stale_after_s = stale_after_s
        self._rows: list[BoardRow] = []
        self._versions: dict[str, int] = {}
        self._age_s = 0.0
        self._detached = False
        self._relay = Relay(self._on_change, self)
        self._window: QQuickWindow | None = None
        self._on_presented: Presented | None = None
        self._syncing: BoardFrame | None = None  # render thread: the frame being drawn
        self._presented: BoardFrame | None = None  # render thread: the last one reported
        self._reconcile = QTimer(self)
        self._reconcile.timeout.connect(self.refresh)
        self.refresh()

    # --- frames -------------------------------------------------------------------------

    def attach_window(self, window: QQuickWindow, on_presented: Presented) -> None:
        """Report to ``on_presented`` each presented frame whose board differs from the
        last one reported (the first frame always)."""
        self._window = window
        self._on_presented = on_presented
        direct = Qt.ConnectionType.DirectConnection  # on the render thread, in frame order
        window.beforeSynchronizing.connect(self._on_synchronizing, direct)
        window.frameSwapped.connect(self._on_swapped, direct)
        window.update()  # a frame may have been drawn before this: draw one more

    def reconcile_every(self, ms: int) -> None:
        """Read the cache again every ``ms`` (0: stop)."""
        if ms > 0:
            self._reconcile.start(ms)
        else:
            self._reconcile.stop()

    @property
    def frame(self) -> BoardFrame:
        """What the model holds now (the next frame draws it)."""
        return BoardFrame(tuple(self._rows), dict(self._versions))

    @property
    def presented(self) -> BoardFrame | None:
        """The last frame reported to ``on_presented`` (None before the first)."""
        return self._presented

    def _on_synchronizing(self) -> None:
        # The GUI thread is blocked (or is this thread): the items show the model as it is.
        self._syncing = BoardFrame(tuple(self._rows), dict(self._versions))

    def _on_swapped(self) -> None:
        frame, self._syncing = self._syncing, None
        if frame is None or frame == self._presented or self._detached:
            return
        self._presented = frame
        if self._on_presented is not None:
            self._on_presented(frame)

    # --- sync thread → Qt thread --------------------------------------------------------

    def on_sync_change(self, change: Any) -> None:
        """A ``KioskSync`` listener: called on the sync thread, handled on the Qt thread."""
        if not self._detached and getattr(change, "kind", "") in _REFRESH_ON:
            self._relay.post(change)

    def detach(self) -> None:
        """Stop reading the source (it is about to close); late notifications are dropped.

        The render thread's hooks are let go too: each takes the interpreter lock, and a
        window that closes waits for its render thread (``KioskUi.close``)."""
        self._detached = True
        self._reconcile.stop()
        window, self._window = self._window, None
        if window is not None:
            for signal, hook in ((window.beforeSynchronizing, self._on_synchronizing),
                                 (window.frameSwapped, self._on_swapped)):  # fmt: skip
                signal.disconnect(hook)

    def _on_change(self, _change: object) -> None:
        if not self._detached:
            self.refresh()

    # --- the model ----------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        if self._detached:
            return
        providers, statuses = self._source()
        rows = board_rows(providers, statuses)
        versions = {r.provider_id: statuses[r.provider_id].version for r in rows if r.provider_id in statuses}
        changed = (rows, versions) != (self._rows, self._versions)
        if [r.provider_id for r in rows] != [r.provider_id for r in self._rows]:
            self.beginResetModel()
            self._rows, self._versions = rows, versions
            self.endResetModel()
            emit(self.countChanged)
        elif rows != self._rows:
            self._rows, self._versions = rows, versions
            emit(self.dataChanged, self.index(0), self.index(len(rows) - 1))
        self._versions = versions
        if changed and self._window is not None:
            # A new version may look the same (a reason the board does not show), or the
            # board may be covered: ask for a frame, or the receipt would not follow.
            self._window.update()
        self.refresh_age()

    @Slot()
    def refresh_age(self) -> None:
        age = self._age()
        if (self._minutes(age), self._is_stale(age)) != (
            self._minutes(self._age_s),
            self._is_stale(self._age_s),
        ):
            self._age_s = age
            emit(self.freshnessChanged)
        self._age_s = age

    def _is_stale(self, age: float) -> bool:
        return age < 0 or age > self._stale_after_s

    @staticmethod
    def _minutes(age: float) -> int:
        return max(0, int(age // 60))

    @property
    def rows(self) -> list[BoardRow]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        name = _ROLES.get(role)
        return None if name is None else getattr(self._rows[index.row()], _FIELDS[name])

    def roleNames(self) -> dict[int, QByteArray]:
        return {role: QByteArray(name.encode()) for role, name in _ROLES.items()}

    count = Property(int, lambda self: len(self._rows), notify=countChanged)
    stale = Property(bool, lambda self: self._is_stale(self._age_s), notify=freshnessChanged)
    ageMin = Property(int, lambda self: self._minutes(self._age_s), notify=freshnessChanged)
    never = Property(bool, lambda self: self._age_s < 0, notify=freshnessChanged)
