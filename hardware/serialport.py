"""Open a serial transport from a URL, and make pseudo-terminals for simulators.

Any pyserial URL works: a device path (``/dev/ttyACM0``, a pty path, a udev symlink),
``serial:///dev/ttyUSB0``, ``loop://``, ``socket://host:port``, ``rfc2217://...``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tty
from typing import Any

import serial

from hardware.errors import DeviceError, DeviceMissing

_MISSING_ERRNOS = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.ECONNREFUSED}


def open_port(url: str, baudrate: int = 115200, timeout: float = 0.05) -> Any:
    """Open ``url`` with ``serial.serial_for_url``; ``DeviceMissing`` when it is not there."""
    if url.startswith("serial://"):
        url = url[len("serial://") :]
    try:
        return serial.serial_for_url(url, baudrate=baudrate, timeout=timeout, write_timeout=1.0)
    except (serial.SerialException, OSError, ValueError) as exc:
        code = exc.errno if isinstance(exc, OSError) else (exc.args[0] if exc.args else None)
        if code in _MISSING_ERRNOS or not _exists(url):
            raise DeviceMissing(f"{url}: not found") from exc
        raise DeviceError(f"{url}: cannot open: {exc}") from exc


def _exists(url: str) -> bool:
    return "://" in url or os.path.exists(url)


class Pty:
    """A pseudo-terminal pair: a simulator holds ``master``; the kiosk opens ``path``.

    The slave side is put in raw mode and kept open here, so the kiosk closing and
    reopening its end never makes the master read fail. ``link`` (optional) is a symlink
    kept pointing at the current pty, like a udev ``/dev/serial/by-id`` name.
    """

    def __init__(self, link: str | None = None) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self.link = link
        if link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(link)
            os.symlink(self.path, link)

    @property
    def url(self) -> str:
        return self.link or self.path

    def close(self) -> None:
        """Vanish: the kiosk's reads now fail, and the link (if any) disappears."""
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
