"""systemd integration: ``sd_notify`` over its datagram socket, and a watchdog that is
petted only while every liveness check passes (a hung loop gets the unit restarted).

No dependency: the protocol is one datagram of ``KEY=VALUE`` lines to ``$NOTIFY_SOCKET``.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Mapping

from core.worker import Worker

log = logging.getLogger(__name__)

LivenessCheck = Callable[[], bool]

# ``kiosk run`` exits with this code when a technician chooses "Exit to desktop" in the staff
# panel: kiosk.service lists it in SuccessExitStatus and RestartPreventExitStatus, so systemd
# treats it as a clean stop and does not restart the kiosk (EX_TEMPFAIL, unused otherwise).
EXIT_TO_DESKTOP = 75
# ``kiosk run`` exits with this once it erased itself (revoked, or no longer enrolled): not
# restarted either, until a technician provisions the unit again (EX_CONFIG).
EXIT_WIPED = 78


def notify(state: str, env: Mapping[str, str] | None = None) -> bool:
    """Send ``state`` (e.g. "READY=1") to systemd; False when not run by systemd."""
    env = os.environ if env is None else env
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.warning("sd_notify failed: %s", exc)
        return False
    return True


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """Half of systemd's WatchdogSec (the recommended petting interval), or None."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000


class Watchdog:
    """Pets systemd's watchdog every ``interval`` seconds while all checks pass.

    A failing check stops the petting (and is logged once), so systemd restarts the unit
    after WatchdogSec; checks recovering resumes it.
    """

    def __init__(
        self, checks: Mapping[str, LivenessCheck], interval_s: float, send: Callable[[str], bool] = notify
    ) -> None:
        self._checks = dict(checks)
        self._interval = interval_s
        self._send = send
        # The checks may each wait a few seconds for a loop to answer: a tick is allowed that long.
        self._worker = Worker(
            "watchdog", tick_s=interval_s, on_tick=self._pet, stall_s=max(10.0, 2 * interval_s)
        )
        self.failing: list[str] = []
        self.pets = 0

    def check(self) -> list[str]:
        failing = []
        for name, check in self._checks.items():
            try:
                ok = check()
            except Exception:
                log.exception("liveness check %s raised", name)
                ok = False
            if not ok:
                failing.append(name)
        return failing

    def step(self) -> bool:
        failing = self.check()
        if failing != self.failing and failing:
            log.error("not petting the watchdog: %s unhealthy", ", ".join(failing))
        self.failing = failing
        if failing:
            return False
        self.pets += 1
        return self._send("WATCHDOG=1")

    def _pet(self) -> None:
        self.step()

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        self._worker.stop(self._interval + 1)


class Heartbeat:
    """A loop calls ``beat()`` each turn; ``alive()`` says whether it did recently."""

    def __init__(self, max_age_s: float, clock: Callable[[], float]) -> None:
        self._max_age = max_age_s
        self._clock = clock
        self._last = clock()

    def beat(self) -> None:
        self._last = self._clock()

    def alive(self) -> bool:
        return self._clock() - self._last <= self._max_age


def supervise(checks: Mapping[str, LivenessCheck]) -> Watchdog | None:
    """Start petting systemd's watchdog (when WatchdogSec is set) while ``checks`` pass."""
    interval = watchdog_interval_s()
    if interval is None:
        return None
    dog = Watchdog(checks, interval)
    dog.start()
    return dog


class ServiceLoop:
    """READY, the watchdog and STOPPING around whatever main loop a process runs (a Qt
    event loop, a wait for SIGTERM): ``with ServiceLoop(checks): run_the_loop()``.

    READY is sent on entry (the caller enters once its parts are up), the watchdog is
    petted while ``checks`` pass, STOPPING is sent on exit, before the parts stop."""

    def __init__(self, checks: Mapping[str, LivenessCheck]) -> None:
        self._checks = dict(checks)
        self._dog: Watchdog | None = None

    def __enter__(self) -> ServiceLoop:
        self._dog = supervise(self._checks)
        notify("READY=1")
        return self

    def __exit__(self, *_exc: object) -> None:
        notify("STOPPING=1")
        if self._dog is not None:
            self._dog.stop()
            self._dog = None


def wait_until_stopped(stop: threading.Event | None = None, timeout_s: float | None = None) -> None:
    """Block until SIGTERM, Ctrl-C, ``stop`` is set or ``timeout_s`` has passed."""
    stop = stop or threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait(timeout_s)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_until_stopped(checks: Mapping[str, LivenessCheck]) -> None:
    """The main loop of a service with no event loop of its own: READY, pet the watchdog
    while ``checks`` pass, wait for SIGTERM or Ctrl-C, then STOPPING (the caller stops
    its parts after this returns)."""
    with ServiceLoop(checks):
        wait_until_stopped()
