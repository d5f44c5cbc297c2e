"""A real kamailio (Debian's) as the practice's registrar in tests: ``kamailio.cfg`` beside
this file, one user with a plain-text password passed as cfg defines, UDP on a free
loopback port, foreground (-DD -E) in its own process group, killed in ``stop``."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import IO

from devtools.local_broker import free_port

KAMAILIO = Path("/usr/sbin/kamailio")
CFG = Path(__file__).with_name("kamailio.cfg")


def available() -> bool:
    return KAMAILIO.exists() or shutil.which("kamailio") is not None


class Kamailio:
    def __init__(
        self,
        workdir: Path,
        user: str,
        password: str,
        port: int = 0,
        min_expires: int = 2,
        algorithm: str = "MD5",
        nonce_expire: int = 30,
    ) -> None:
        self.workdir = workdir
        self.user = user
        self.password = password
        self.port = port or free_port()
        self.min_expires = min_expires
        self.algorithm = algorithm
        self.nonce_expire = nonce_expire
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "kamailio.log"

    def start(self, timeout: float = 30.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        defines = {
            "KAM_PORT": str(self.port),
            "MIN_EXPIRES": str(self.min_expires),
            "NONCE_EXPIRE": str(self.nonce_expire),
            "AUTH_ALGORITHM": f'"{self.algorithm}"',
            "REG_USER": f'"{self.user}"',
            "REG_PASSWORD": f'"{self.password}"',
        }
        args = [str(KAMAILIO), "-DD", "-E", "-f", str(CFG), "-Y", str(self.workdir), "-w", str(self.workdir),
                "-m", "32", "-M", "8"]  # fmt: skip
        for name, value in defines.items():
            args += ["-A", f"{name}={value}"]
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        """Until kamailio answers an OPTIONS (404: nobody registered yet)."""
        probe = (
            f"OPTIONS sip:probe@127.0.0.1:{self.port} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bKprobe\r\n"
            "From: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: probe\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n"
        ).encode()
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.settimeout(0.2)
            while time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise RuntimeError(f"kamailio exited: {self.log()[-2000:]}")
                sock.sendto(probe, ("127.0.0.1", self.port))
                try:
                    if sock.recv(4096).startswith(b"SIP/2.0"):
                        return
                except TimeoutError:
                    continue
        self.stop()
        raise RuntimeError(f"kamailio did not answer in {timeout} s: {self.log()[-2000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # its own group: the children it forked too
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None
