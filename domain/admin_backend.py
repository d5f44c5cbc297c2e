"""What the staff panel reads and does besides the admin session, Qt-free.

The shell (``ui.run``) fills an ``AdminBackend`` with the cache, the sync loop, the devices,
a log tail and a command runner; tests and screenshots fill it with fakes.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.clock import Clock
from core.logs import JsonFormatter
from core.systemd import EXIT_TO_DESKTOP
from domain.admin import AdminSession
from sync.cache import Provider
from sync.messages import Appointment, ProviderStatus

log = logging.getLogger(__name__)

RESTART_COMMAND = ("systemctl", "--no-block", "restart", "kiosk")
# Project loggers only; speech is left out (a transcript could hold a spoken name).
_TAIL_LOGGERS = ("kiosk", "sync", "hardware", "ui", "config")

BoardSource = Callable[[], tuple[list[Provider], dict[str, ProviderStatus]]]
CommandRunner = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class SyncStatus:
    connected: bool  # to the broker
    live: bool  # connected and the hub online: the cache is current
    cache_age_s: float  # 0 while live; -1: never in step with the hub
    outbox_depth: int  # messages waiting to be sent


def run_command(argv: Sequence[str]) -> int:
    """Run a short system command (``systemctl --no-block ...``); its exit code, 127 if absent."""
    try:
        return subprocess.run(list(argv), check=False, timeout=15, capture_output=True).returncode  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("command failed: %s", exc, extra={"command": " ".join(argv)})
        return 127


def _no_sync() -> SyncStatus | None:
    return None


def _no_devices() -> dict[str, dict[str, str]]:
    return {}


@dataclass
class AdminBackend:
    """The admin panel's dependencies. ``exit_app(code)`` quits the event loop."""

    session: AdminSession
    clock: Clock
    board: BoardSource
    appointments: Callable[[str], list[Appointment]]
    idle_s: float = 60.0
    sync_status: Callable[[], SyncStatus | None] = _no_sync  # None: the sync loop did not answer
    device_health: Callable[[], dict[str, dict[str, str]]] = _no_devices
    log_lines: Callable[[], list[str]] = list
    run_command: CommandRunner = run_command
    exit_app: Callable[[int], None] | None = None
    exit_code: int = EXIT_TO_DESKTOP
    restart_command: tuple[str, ...] = field(default=RESTART_COMMAND)


class LogTail(logging.Handler):
    """The last ``size`` JSON log lines of the project's loggers, for the technician view.

    Log calls carry ids, never patient names (``core.logs``); records from any thread.
    """

    def __init__(self, size: int = 50) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self._lines: deque[str] = deque(maxlen=size)

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".", 1)[0] in _TAIL_LOGGERS and bool(super().filter(record))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - as logging.Handler does: a log line never breaks the caller
            self.handleError(record)

    def lines(self) -> list[str]:
        self.acquire()
        try:
            return list(self._lines)
        finally:
            self.release()


def compact_line(line: str) -> str:
    """``{"ts": ..., "level": ..., "logger": ..., "msg": ...}`` as ``HH:MM:SS LEVEL logger: msg k=v``."""
    try:
        entry = json.loads(line)
        ts = datetime.fromisoformat(str(entry.pop("ts"))).astimezone().strftime("%H:%M:%S")
        head = f"{ts} {entry.pop('level', '')} {entry.pop('logger', '')}: {entry.pop('msg', '')}"
    except (ValueError, KeyError, TypeError, AttributeError):
        return line
    entry.pop("exc", None)
    extras = " ".join(f"{k}={v}" for k, v in entry.items())
    return f"{head} {extras}".rstrip()


__all__ = ["AdminBackend", "LogTail", "SyncStatus", "compact_line", "run_command"]
