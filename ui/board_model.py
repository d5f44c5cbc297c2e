"""``Board`` in QML: the provider board of the attract screen, one row per provider.

Reads the cache through a ``BoardSource`` on the Qt thread. ``KioskSync`` tells it about a
change on the sync thread (``on_sync_change``); a queued signal brings that to the Qt
thread, so the board refreshes in the same moment the cache changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)

from domain.board import BoardRow, board_rows
from sync.cache import Provider
from sync.messages import ProviderStatus
from ui.qt_signals import emit
from ui.relay import Relay

_REFRESH_ON = ("status", "schedule", "link", "hub")


BoardSource = Callable[[], tuple[list[Provider], dict[str, ProviderStatus]]]
AgeSource = Callable[[], float]


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
        self._age_s = 0.0
        self._detached = False
        self._relay = Relay(self._on_change, self)
        self.refresh()

    # --- sync thread → Qt thread --------------------------------------------------------

    def on_sync_change(self, change: Any) -> None:
        """A ``KioskSync`` listener: called on the sync thread, handled on the Qt thread."""
        if not self._detached and getattr(change, "kind", "") in _REFRESH_ON:
            self._relay.post(change)

    def detach(self) -> None:
        """Stop reading the source (it is about to close); late notifications are dropped."""
        self._detached = True

    def _on_change(self, _change: object) -> None:
        if not self._detached:
            self.refresh()

    # --- the model ----------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        providers, statuses = self._source()
        rows = board_rows(providers, statuses)
        if [r.provider_id for r in rows] != [r.provider_id for r in self._rows]:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            emit(self.countChanged)
        elif rows != self._rows:
            self._rows = rows
            emit(self.dataChanged, self.index(0), self.index(len(rows) - 1))
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
