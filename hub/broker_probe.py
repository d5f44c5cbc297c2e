"""A broker that stops answering is noticed and restarted (``kiosk hub broker-probe``).

A mosquitto can hang without exiting - in the fleet soak two site brokers stopped serving
for minutes after their central broker was killed, their kiosks cut off while systemd
still saw them running. The probe does what a client does: every ``interval_s`` it logs
in (its own login, ``broker-probe``, which may only use ``kiosk-probe/broker-probe``),
subscribes, publishes a nonce at QoS 1 and waits for it to come back, all within
``timeout_s``. After ``failures`` failed round trips in a row it runs the restart
commands (by default SIGKILL the broker's unit, then start it: a hung process may never
act on SIGTERM; with ``autosave_interval 1`` it loses at most a second), then gives the
broker ``grace_s`` to come up. The probe itself runs under systemd with a watchdog
(``systemd/kiosk-broker-probe@.service``), petted while its loop turns.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import shlex
import ssl
import subprocess
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.errors import ConfigError
from core.systemd import Heartbeat, ServiceLoop, wait_until_stopped
from core.worker import Worker

log = logging.getLogger(__name__)

PROBE_USER = "broker-probe"  # the same login at every broker written (its client id too)
PROBE_TOPIC = f"kiosk-probe/{PROBE_USER}"  # outside every clinic tree: no bridge carries it


def probe_acl_lines() -> list[str]:
    return [f"user {PROBE_USER}", f"topic readwrite {PROBE_TOPIC}", ""]


@dataclass(frozen=True)
class ProbeSettings:
    """One broker to watch (a TOML file, ``/etc/kiosk/broker-probe/<name>.toml``)."""

    host: str
    port: int
    password: str
    ca_file: str = ""  # empty: plain MQTT
    unit: str = "mosquitto.service"  # the broker's systemd unit
    restart: list[list[str]] = field(default_factory=list)  # empty: SIGKILL the unit, start it
    interval_s: float = 5.0
    timeout_s: float = 5.0
    failures: int = 2
    grace_s: float = 15.0

    def restart_commands(self) -> list[list[str]]:
        if self.restart:
            return self.restart
        return [
            ["systemctl", "kill", "--signal=SIGKILL", self.unit],
            ["systemctl", "restart", self.unit],
        ]

    def check(self) -> None:
        if not 0 < self.port < 65536:
            raise ConfigError(f"broker-probe: port {self.port} is not a TCP port")
        if self.timeout_s <= 0 or self.interval_s <= 0 or self.failures < 1 or self.grace_s < 0:
            raise ConfigError(
                "broker-probe: interval_s and timeout_s > 0, failures >= 1, grace_s >= 0 expected"
            )
        if self.ca_file and not Path(self.ca_file).is_file():
            raise ConfigError(f"broker-probe: ca {self.ca_file} is not a file")


class _ClosingContext(ssl.SSLContext):
    """Remembers every TLS socket it makes, so the probe closes each one: paho leaves a
    socket whose handshake timed out (a frozen broker's, every round) open."""

    made: list[ssl.SSLSocket]

    def __new__(cls, protocol: int = ssl.PROTOCOL_TLS_CLIENT) -> _ClosingContext:
        context = super().__new__(cls, protocol)
        context.made = []
        return context

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        sock = super().wrap_socket(*args, **kwargs)
        self.made.append(sock)
        return sock


def round_trip(s: ProbeSettings) -> float | None:
    """Seconds for a QoS 1 message through the broker and back; None when it does not
    come back within ``timeout_s`` (no TLS handshake, no CONNACK, no SUBACK, no message)."""
    started = time.monotonic()
    context = None
    if s.ca_file:
        context = _ClosingContext()
        context.load_verify_locations(cafile=s.ca_file)  # verifies the name, as the default does
    nonce = secrets.token_hex(8).encode()
    connected, subscribed, back = threading.Event(), threading.Event(), threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=PROBE_USER, protocol=mqtt.MQTTv311)
    client.username_pw_set(PROBE_USER, s.password)
    if context is not None:
        client.tls_set_context(context)
    client.connect_timeout = s.timeout_s
    client.on_connect = lambda _c, _u, _f, rc, _p: connected.set() if not rc.is_failure else None
    client.on_subscribe = lambda *_a: subscribed.set()
    client.on_message = lambda _c, _u, msg: back.set() if msg.payload == nonce else None
    deadline = started + s.timeout_s

    def within(event: threading.Event) -> bool:
        return event.wait(max(0.0, deadline - time.monotonic()))

    try:
        try:
            client.connect(s.host, s.port, keepalive=max(5, int(s.timeout_s) * 2))
        except OSError:  # refused, or no TLS handshake within timeout_s
            return None
        client.loop_start()
        if not within(connected):
            return None
        client.subscribe(PROBE_TOPIC, qos=1)
        if not within(subscribed):
            return None
        client.publish(PROBE_TOPIC, nonce, qos=1)
        if not within(back):
            return None
        return time.monotonic() - started
    finally:
        client.disconnect()
        client.loop_stop()
        for sock in context.made if context is not None else []:
            sock.close()


def run_commands(commands: Sequence[Sequence[str]]) -> bool:
    ok = True
    for command in commands:
        try:
            # The operator's own commands, from the probe's root-owned config: no shell.
            done = subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.error("restart command failed", extra={"command": shlex.join(command), "error": str(exc)})
            ok = False
            continue
        if done.returncode != 0:
            log.error("restart command failed", extra={"command": shlex.join(command), "rc": done.returncode})
            ok = False
    return ok


class ProbeLoop:
    """Probe, count failures, restart; one ``step`` per round. Time and the actions are
    injected, so a test drives it against a real broker with its own restart."""

    def __init__(
        self,
        settings: ProbeSettings,
        *,
        probe: Callable[[ProbeSettings], float | None] = round_trip,
        restart: Callable[[], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._probe = probe
        self._restart = restart or (lambda: run_commands(settings.restart_commands()))
        self._clock = clock
        self.failed_in_a_row = 0
        self.restarts = 0
        self.heartbeat = Heartbeat(max(30.0, 3 * (settings.interval_s + settings.timeout_s)), clock)

    def step(self) -> float:
        """One round; the seconds to wait before the next."""
        self.heartbeat.beat()
        took = self._probe(self.settings)
        if took is not None:
            if self.failed_in_a_row:
                log.warning("broker answers again", extra={"after_failures": self.failed_in_a_row})
            self.failed_in_a_row = 0
            return self.settings.interval_s
        self.failed_in_a_row += 1
        log.error("broker did not answer the probe", extra={"in_a_row": self.failed_in_a_row})
        if self.failed_in_a_row < self.settings.failures:
            return min(self.settings.interval_s, 1.0)  # confirm soon
        log.error("restarting the broker", extra={"unit": self.settings.unit})
        self._restart()
        self.restarts += 1
        self.failed_in_a_row = 0
        return self.settings.grace_s

    def worker(self) -> Worker:
        """The loop on the worker primitive, not yet started: the first round comes
        ``interval_s`` after ``start()``, each next one when ``step`` says; a round that
        raises is counted by the worker and the next comes ``interval_s`` later."""
        return Worker("broker-probe", tick_s=self.settings.interval_s, on_tick=self.step)


def load_probe(path: Path) -> ProbeSettings:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text())
        password = Path(str(data["password_file"])).read_text().strip()
        restart = [shlex.split(str(c)) for c in data.get("restart", [])]
        settings = ProbeSettings(
            host=str(data.get("host", "localhost")),
            port=int(data.get("port", 8883)),
            password=password,
            ca_file=str(data.get("ca", "")),
            unit=str(data.get("unit", "mosquitto.service")),
            restart=restart,
            interval_s=float(data.get("interval_s", 5.0)),
            timeout_s=float(data.get("timeout_s", 5.0)),
            failures=int(data.get("failures", 2)),
            grace_s=float(data.get("grace_s", 15.0)),
        )
    except KeyError as exc:
        raise ConfigError(f"{path}: {exc.args[0]} is missing (see docs/scale.md, 'A hung broker')") from None
    except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc} (see docs/scale.md, 'A hung broker')") from None
    settings.check()
    return settings


def add_command(sub: Any) -> None:
    cmd = sub.add_parser(
        "broker-probe", help="probe a broker with MQTT round trips; restart it when it hangs"
    )
    cmd.add_argument("--probe-config", required=True, help="the probe's TOML (docs/scale.md)")
    cmd.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    loop = ProbeLoop(load_probe(Path(args.probe_config)))
    worker = loop.worker()
    worker.start()
    try:
        with ServiceLoop({"probe loop": loop.heartbeat.alive}):
            wait_until_stopped()
    finally:
        worker.stop(loop.settings.timeout_s + 5)
    return 0


__all__ = [
    "PROBE_TOPIC",
    "PROBE_USER",
    "ProbeLoop",
    "ProbeSettings",
    "add_command",
    "load_probe",
    "probe_acl_lines",
    "round_trip",
]
