"""Is the display server there yet, and ending at once when it goes. Qt-free, so it runs
before Qt is loaded.

Qt's xcb and wayland platforms abort the process (SIGABRT, "no Qt platform plugin could be
initialized") when the server they are pointed at is not accepting connections. A kiosk
restarted by systemd after its display server died usually starts before the new server
does, so ``kiosk run`` first waits for the server's socket (``wait_for_display_server``),
bounded, and says what it is waiting for; a server that never comes back is a clear
``DisplayUnavailable`` and exit status 1, which systemd restarts again.

When the server goes away under a running kiosk, Qt's xcb platform (and Xlib's default
I/O error handler beside it) call C ``exit(1)`` from inside the event loop, with Python's
and Qt's own threads still running; the C++ static destructors that ``exit`` then runs
raced those threads here, and the process hung (until the watchdog) or crashed (SIGSEGV)
in about one run of three. ``exit_without_teardown`` registers libc's ``_exit`` as the
first ``on_exit`` handler to run, so such an exit ends the process at once with its status
(nothing is lost by skipping the destructors: SQLite commits are durable, and Python has
finalized already on a normal exit).
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.clock import Clock
from core.errors import KioskError

log = logging.getLogger(__name__)

DISPLAY_WAIT_S = 60.0
"""How long ``kiosk run`` waits for a display server (under ``TimeoutStartSec=120``)."""
POLL_S = 0.1
X11_SOCKETS = "/tmp/.X11-unix"  # noqa: S108 - where every X server puts its sockets


class DisplayUnavailable(KioskError):
    """The display server the environment names is not accepting connections."""


@dataclass(frozen=True)
class DisplayServer:
    """Where the UI's display server listens: a UNIX socket path or a TCP address."""

    platform: str  # "xcb" or "wayland"
    name: str  # $DISPLAY or $WAYLAND_DISPLAY, for messages
    path: str = ""
    host: str = ""
    port: int = 0

    def accepting(self, timeout_s: float = 1.0) -> bool:
        family = socket.AF_UNIX if self.path else socket.AF_INET
        address: str | tuple[str, int] = self.path or (self.host, self.port)
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout_s)
            try:
                sock.connect(address)
            except OSError:
                return False
        return True


_X_DISPLAY = re.compile(r"^(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?$")


def display_server(env: Mapping[str, str]) -> DisplayServer | None:
    """The server Qt will connect to, from ``QT_QPA_PLATFORM``, ``WAYLAND_DISPLAY`` and
    ``DISPLAY``; ``None`` for platforms with no server (offscreen, eglfs, linuxfb, ...)."""
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0]
    wayland, x11 = env.get("WAYLAND_DISPLAY", ""), env.get("DISPLAY", "")
    if platform.startswith("wayland") or (not platform and wayland and not x11):
        name = wayland or "wayland-0"
        runtime = env.get("XDG_RUNTIME_DIR", "")
        path = name if name.startswith("/") else os.path.join(runtime, name)
        return DisplayServer("wayland", name, path=path)
    if platform not in ("", "xcb") or not x11:
        return None
    found = _X_DISPLAY.match(x11)
    if found is None:
        raise DisplayUnavailable(f"DISPLAY={x11!r} is not an X display (expected e.g. ':0')")
    host, number = found.group("host"), int(found.group("number"))
    if host in ("", "unix"):
        return DisplayServer("xcb", x11, path=f"{X11_SOCKETS}/X{number}")
    return DisplayServer("xcb", x11, host=host, port=6000 + number)


def wait_for_display_server(
    env: Mapping[str, str],
    clock: Clock,
    sleep: Callable[[float], None],
    timeout_s: float = DISPLAY_WAIT_S,
) -> float:
    """Wait until the environment's display server accepts connections; returns how long
    that took (0 when it already did, or there is none). Raises ``DisplayUnavailable``
    after ``timeout_s``."""
    server = display_server(env)
    if server is None or server.accepting():
        return 0.0
    began = clock.monotonic()
    log.warning("waiting up to %g s for the %s display server %s", timeout_s, server.platform, server.name)
    while clock.monotonic() - began < timeout_s:
        sleep(POLL_S)
        if server.accepting():
            waited = clock.monotonic() - began
            log.info("the display server %s is back after %.1f s", server.name, waited)
            return waited
    raise DisplayUnavailable(
        f"the {server.platform} display server {server.name} is not accepting connections "
        f"after {timeout_s:g} s"
    )


def exit_without_teardown() -> bool:
    """From now on a C ``exit(status)`` ends the process at once with ``status`` (glibc's
    ``on_exit``, handlers run last-registered first; ``_exit`` takes the status as its one
    argument). False where the C library has no ``on_exit``."""
    try:
        libc = ctypes.CDLL(None)
        on_exit, quick_exit = libc.on_exit, libc._exit
    except (OSError, AttributeError):
        return False
    on_exit.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    on_exit.restype = ctypes.c_int
    return int(on_exit(ctypes.cast(quick_exit, ctypes.c_void_p), None)) == 0


__all__ = [
    "DISPLAY_WAIT_S",
    "DisplayServer",
    "DisplayUnavailable",
    "display_server",
    "exit_without_teardown",
    "wait_for_display_server",
]
