"""A private mosquitto on a free loopback port, with a generated config: plain, or TLS with
a password file and an ACL. The demo, the benchmarks and the tests start their own."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from config.settings import BrokerSettings

# The broker's persistence, with the reason for each line. The check-ins no longer depend
# on it: a kiosk keeps every row until the hub acknowledges it (docs/protocol.md), so a
# broker that dies before its next save (SIGKILL, a power cut) costs a resend, not a
# patient. What persistence still buys is speed and quiet after a *clean* restart.
PERSISTENCE = (
    # Retained state (schedule, status, notices, alerts) and the hub's queued session
    # survive a restart, so kiosks and pagers see the day at once instead of waiting
    # for the hub to reconnect and republish it.
    "persistence true",
    # Saved every 5 minutes and on a clean shutdown: mosquitto writes the whole
    # database each time, which on a practice's small box (an SD card, often) is not
    # free. Losing up to 5 minutes of broker memory is harmless now (see above); the
    # tests' broker uses the same value, so the crash tests prove it.
    "autosave_interval 300",
    "autosave_on_changes false",
    # Never drop QoS 1 messages queued for a slow or absent hub (0 = no limit).
    "max_queued_messages 0",
    "max_queued_bytes 0",
    # An MQTT 3.1.1 hub asks for a persistent session without an expiry: keep it
    # as long as the MQTT 5 hub asks for (7 days), plus a day.
    "persistent_client_expiration 8d",
)


_PORT_ATTEMPTS = 5  # a broker that finds its port taken moves this many times at most


def free_port() -> int:
    """A loopback port free now. Free only until someone binds it: a server started on it
    may find another process there first (``Broker.start`` checks, and moves once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listens_on(pid: int, port: int) -> bool:
    """Process ``pid`` has a socket listening on ``port``."""
    try:
        sockets = psutil.Process(pid).net_connections(kind="tcp")
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in sockets)


@functools.cache
def _held_port() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    atexit.register(sock.close)
    return sock


def closed_port() -> int:
    """A loopback port where nothing listens, nor will while this process runs: this
    process holds it bound without listening, so a connection there is refused and no
    other process (another test worker's broker) can start a server on it. A port from
    ``free_port`` that "nobody listens on" may be another worker's broker a moment later."""
    return int(_held_port().getsockname()[1])


@dataclass
class Credentials:
    users: dict[str, str] = field(default_factory=dict)
    acl: str = ""


class Broker:
    def __init__(self, workdir: Path, *, tls: bool = False, creds: Credentials | None = None) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.tls = tls
        self.creds = creds
        self.proc: subprocess.Popen[bytes] | None = None
        self.ca_file = ""
        self._started = False  # once it ran, its port is what its clients know
        self._write_config()

    def _write_config(self) -> None:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.exe = exe
        lines = [
            f"listener {self.port} 127.0.0.1",
            *PERSISTENCE,
            f"persistence_location {self.workdir}/",
            "max_inflight_messages 100",
            # Nagle's algorithm holds a small PUBLISH back until the TCP ACK of the PUBACK
            # before it, which the receiver delays ~40 ms: every hop of a hub acknowledgement
            # would pay that.
            "set_tcp_nodelay true",
            "log_type error",
            "log_type warning",
            "log_type notice",
            f"log_dest file {self.workdir}/mosquitto.log",
        ]
        if os.geteuid() == 0:
            lines.append("user root")  # as root mosquitto would read our files as user 'mosquitto'
        if self.tls:
            self.ca_file = _copy_certs(self.workdir)
            lines += [
                f"cafile {self.workdir}/ca.crt",
                f"certfile {self.workdir}/server.crt",
                f"keyfile {self.workdir}/server.key",
            ]
        if self.creds:
            pwfile = self.workdir / "passwords"
            pwfile.write_text("")
            for user, password in self.creds.users.items():
                subprocess.run(
                    ["mosquitto_passwd", "-b", str(pwfile), user, password], check=True, capture_output=True
                )
            lines += ["allow_anonymous false", f"password_file {pwfile}"]
            if self.creds.acl:
                (self.workdir / "acl").write_text(self.creds.acl)
                lines.append(f"acl_file {self.workdir}/acl")
        else:
            lines.append("allow_anonymous true")
        (self.workdir / "mosquitto.conf").write_text("\n".join(lines) + "\n")

    def start(self) -> None:
        """Start mosquitto and return once it listens on ``port`` itself. The port was free
        when it was picked; if another process took it meanwhile (another test worker's
        broker), a broker that never ran moves to a new free port; a restart must keep its
        port (its clients know it) and says so."""
        for _attempt in range(_PORT_ATTEMPTS):
            err = self._start_once()
            if not err:
                self._started = True
                return
            if self._started or "Address already in use" not in err:
                raise RuntimeError(f"mosquitto exited: {err}")
            self.port = free_port()
            self._write_config()
        raise RuntimeError(f"mosquitto found no free port in {_PORT_ATTEMPTS} tries")

    def _start_once(self) -> str:
        """Empty once this mosquitto listens on ``port``, else why it exited."""
        self.proc = subprocess.Popen(
            [self.exe, "-c", str(self.workdir / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60  # a ceiling for a busy machine: it listens within ms
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                if self.proc.stderr:
                    self.proc.stderr.close()
                self.proc = None
                return f"{err}{self._log_tail()}".strip() or "exited at once"
            # Its own listening socket, not just any answer on the port: another worker's
            # broker there would answer while this one exits on "Address already in use".
            if listens_on(self.proc.pid, self.port):
                return ""
            time.sleep(0.05)
        raise RuntimeError("mosquitto did not start listening")

    def _log_tail(self) -> str:
        """The end of mosquitto's log (``log_dest file``: a bind error is there, not on stderr)."""
        log = self.workdir / "mosquitto.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: the broker loses whatever it has not saved (a crash, a power cut)."""
        proc = self._running()
        proc.kill()
        proc.wait(5)
        if proc.stderr:
            proc.stderr.close()
        self.proc = None

    def pause(self) -> None:
        self._running().send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._running().send_signal(signal.SIGCONT)

    def _running(self) -> subprocess.Popen[bytes]:
        if self.proc is None:
            raise RuntimeError("mosquitto is not running: start() it first")
        return self.proc

    def settings(self, username: str = "", password: str = "", protocol: str = "5") -> BrokerSettings:
        return BrokerSettings(
            host="127.0.0.1" if not self.tls else "localhost",
            port=self.port,
            protocol=protocol,
            username=username,
            password=password,
            ca_file=self.ca_file,
            reconnect_min_s=0.1,
            reconnect_max_s=0.5,
            keepalive_s=5,
        )


_CERT_FILES = ("ca.crt", "server.crt", "server.key")


@functools.cache
def _cert_dir() -> Path:
    """This process's CA and server certificate. RSA key generation takes about a second,
    so the pair is made once per process (a test session, a benchmark run)."""
    cache = Path(tempfile.mkdtemp(prefix="kiosk-test-certs-"))
    atexit.register(shutil.rmtree, cache, True)
    _make_certs(cache)
    return cache


def copy_certs(workdir: Path) -> str:
    """A copy of the process's CA (``ca.crt``) and server certificate and key (CN localhost,
    SAN 127.0.0.1) in ``workdir``; the CA's path."""
    workdir.mkdir(parents=True, exist_ok=True)
    return _copy_certs(workdir)


def _copy_certs(workdir: Path) -> str:
    """A copy of the process's certificates in ``workdir``, for one broker."""
    for name in _CERT_FILES:
        shutil.copyfile(_cert_dir() / name, workdir / name)
    (workdir / "server.key").chmod(0o600)
    return str(workdir / "ca.crt")


def _make_certs(workdir: Path) -> str:
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=workdir)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=kiosk-test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    )
    (workdir / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.crt",
    )
    return str(workdir / "ca.crt")
