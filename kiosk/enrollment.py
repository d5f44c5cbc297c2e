"""A kiosk that is no longer enrolled erases itself (``sync.revocation.EnrollmentWatch``
decides when): told by the hub's retained revocation, refused by the broker for
``[kiosk] revoked_wipe_s``, or unseen by the practice for ``enrollment_lease_s``.

The wipe (``kiosk.wipe.wipe_kiosk``: keys first, then the cache and the rest of the state
directory, then the broker password file) runs on the thread that noticed, and the kiosk
then stops with ``EXIT_WIPED``, which systemd does not restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from config.settings import Settings
from core.systemd import EXIT_WIPED
from kiosk.wipe import wipe_kiosk
from sync.kiosk_sync import KioskSync, SyncChange
from sync.revocation import EnrollmentWatch, KioskRevoked

log = logging.getLogger(__name__)


class EnrollmentGuard:
    def __init__(
        self,
        settings: Settings,
        sync: KioskSync,
        exit_app: Callable[[int], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.sync = sync
        self._exit_app = exit_app
        self._now = monotonic
        self.watch = EnrollmentWatch(settings.kiosk.revoked_wipe_s, settings.kiosk.enrollment_lease_s)
        self.wiped = ""  # why, once wiped
        self._lock = threading.Lock()  # the sync worker and the flow thread both check

    def on_change(self, change: SyncChange) -> None:
        """A ``KioskSync`` listener (on the sync worker)."""
        now = self._now()
        with self._lock:
            if change.kind == "enrollment":
                if isinstance(change.message, KioskRevoked):
                    self.watch.revoked(change.message, self.settings.kiosk.id)
                else:
                    self.watch.refused(change.reason, now)
            elif change.kind == "link" and self.sync.link.connected:
                self.watch.accepted(now)
        self.check()

    def check(self, unproven_s: float = -1.0) -> str:
        """Wipe now if due; ``unproven_s``: the cache's seconds since last in step with the hub."""
        with self._lock:
            if self.wiped:
                return self.wiped
            reason = self.watch.due(self._now(), unproven_s)
            if not reason:
                return ""
            self.wiped = reason
        log.critical("this kiosk is no longer enrolled: erasing its cache and keys", extra={"why": reason})
        removed = wipe_kiosk(self.settings)
        log.critical("kiosk wiped", extra={"files": len(removed)})
        if self._exit_app is not None:
            self._exit_app(EXIT_WIPED)
        return reason


__all__ = ["EnrollmentGuard"]
