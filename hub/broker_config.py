"""``kiosk hub broker-config``: mosquitto's configuration for one site, written by us
instead of by hand - the TLS listener, the password file, the ACL of ``sync.acl``, the
persistence and queue settings the sync protocol relies on, each with its reason, and for
a site of a group its bridge to the central broker (``hub.bridge_config``; the central
broker's own files are ``hub.fleet_config``'s).

Every client's id is its user name (``use_username_as_clientid``), so a login can never
take over another client's session - a kiosk's password never gets it the hub's queue.

Passwords are hashed the way ``mosquitto_passwd`` does for mosquitto 2 (``$7$``:
PBKDF2-SHA512, 101 iterations, 12-byte salt), so the hub machine needs no mosquitto tools.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.settings import Settings
from core.errors import ConfigError
from hub.bridge_config import Uplink, bridge_lines
from hub.broker_dirs import dir_lines, persistence_dir
from hub.broker_probe import PROBE_USER, probe_acl_lines
from sync.acl import render_acl
from sync.topics import TopicTree

_ITERATIONS = 101  # mosquitto_passwd's own count for $7$ hashes
PRIVATE = 0o640  # root:mosquitto - the broker (user mosquitto) reads them, nobody else


@dataclass(frozen=True)
class SiteBroker:
    """What one site's broker needs to know."""

    tree: TopicTree
    hub_user: str  # empty for a site whose hub runs centrally (then ``uplink`` is needed)
    hub_password: str
    kiosks: dict[str, str]  # kiosk id (its MQTT username) -> password
    ca_file: Path
    cert_file: Path
    key_file: Path
    practice_users: dict[str, str] = field(default_factory=dict)  # the practice CLI's own logins
    port: int = 8883
    bind: str = ""  # empty: every interface
    install_dir: Path | None = None  # where the files will live; default: where they are written
    persistence_dir: str = "/var/lib/mosquitto/"
    run_as: str = ""  # mosquitto's `user`; empty keeps its default (user mosquitto)
    uplink: Uplink | None = None  # the bridge to a group's central broker
    log_file: str = ""  # empty: syslog
    probe_password: str = ""  # the hung-broker probe's login (hub.broker_probe); empty: none
    lines: tuple[str, ...] = ()  # the phone lines among ``kiosks``: they read their caller-ID answers

    def logins(self) -> dict[str, str]:
        hub = {self.hub_user: self.hub_password} if self.hub_user else {}
        probe = {PROBE_USER: self.probe_password} if self.probe_password else {}
        return {**hub, **self.kiosks, **self.practice_users, **probe}

    def check(self) -> None:
        users = [*([self.hub_user] if self.hub_user else []), *self.kiosks, *self.practice_users]
        users += [PROBE_USER] if self.probe_password else []
        if len(set(users)) != len(users):
            raise ConfigError("a user name is given twice (hub, kiosks and practice users must differ)")
        if not self.hub_user and self.uplink is None:
            raise ConfigError("no hub user: a site without a hub of its own needs an uplink to the centre")
        if self.uplink is not None:
            self.uplink.check()
        for user, password in self.logins().items():
            if not user or ":" in user or any(c.isspace() for c in user):
                raise ConfigError(f"{user!r} is not a usable MQTT user name")
            if len(password) < 8:
                raise ConfigError(f"the password for {user} is shorter than 8 characters")
        for path in (self.ca_file, self.cert_file, self.key_file):
            if not path.is_file():
                raise ConfigError(
                    f"{path} is not a file (the CA, server certificate and key are needed for TLS)"
                )
        if not self.kiosks:
            raise ConfigError("no kiosk given: --kiosk ID:PASSWORD or --kiosk-password-file ID:FILE")
        for line in self.lines:
            if line not in self.kiosks:
                raise ConfigError(f"--line {line}: a phone line needs its login as a --kiosk too")


def password_line(user: str, password: str, salt: bytes | None = None) -> str:
    """One line of mosquitto's password file."""
    salt = salt if salt is not None else secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, _ITERATIONS)
    b64 = base64.b64encode
    return f"{user}:$7${_ITERATIONS}${b64(salt).decode()}${b64(digest).decode()}"


@dataclass(frozen=True)
class Listener:
    """What every broker we write shares: one TLS listener, where its files live, its disk."""

    title: str  # what the broker is for, in its header
    port: int
    bind: str
    where: Path  # the directory of ca.crt, server.crt, server.key, passwords, acl
    persistence_dir: str
    log_file: str = ""
    run_as: str = ""


def broker_lines(b: Listener) -> list[str]:
    """mosquitto.conf for any broker of ours, each setting with its reason."""
    listener = f"listener {b.port}" + (f" {b.bind}" if b.bind else "")
    where = b.where
    lines = [
        f"# mosquitto for {b.title}: written by `kiosk hub broker-config`.",
        "# Regenerate it rather than edit it; the kiosks and the hub rely on each setting below.",
        "",
        "per_listener_settings false",
        "",
        "# --- the one listener: TLS only, every client with a password ---",
        listener,
        "protocol mqtt",
        f"cafile {where / 'ca.crt'}",
        f"certfile {where / 'server.crt'}",
        f"keyfile {where / 'server.key'}",
        "tls_version tlsv1.2",
        "allow_anonymous false",
        f"password_file {where / 'passwords'}",
        "# A client's id is its user name, whatever id it asks for: a login cannot take over",
        "# another client's session (a kiosk's password never gets the hub's queued check-ins).",
        "use_username_as_clientid true",
        "# Each kiosk writes only its own topics; the hub alone writes the day and statuses",
        "# (sync/acl.py). A denied publish makes mosquitto 2 close that client's connection.",
        f"acl_file {where / 'acl'}",
        "",
        "# --- persistence: what the broker holds survives its restart ---",
        "# The hub's session is persistent (clean start off): check-ins and requests that",
        "# arrive while the hub is down wait for it here, and are saved to disk.",
        "persistence true",
        f"persistence_location {b.persistence_dir}",
        "# Save every second: a crash or power cut loses at most about a second of what the",
        "# broker had acknowledged (the default, 30 minutes, could lose a morning's check-ins).",
        "autosave_interval 1",
        "# An MQTT 3.1.1 session never expires by itself (the MQTT 5 hub asks for 7 days):",
        "# drop one nobody has claimed for two weeks (a retired client id). A hub down longer",
        "# than its session would lose what was queued for it.",
        "persistent_client_expiration 14d",
        "",
        "# --- queues: never drop a QoS 1 message queued for the hub ---",
        "# The default (1000) would silently discard check-ins beyond the thousandth while the",
        "# hub is down; 0 means no limit (a day's check-ins are a few MB at most).",
        "max_queued_messages 0",
        "max_queued_bytes 0",
        "# Messages in flight per client: a kiosk replaying its outbox after an outage gets",
        "# 100 PUBACKs in flight instead of 20, so a backlog drains in seconds.",
        "max_inflight_messages 100",
        "# Small packets leave at once (no Nagle delay): every hop of an acknowledgement pays it.",
        "set_tcp_nodelay true",
        "",
        "# --- logs: connections and refusals, for the technician (no payloads) ---",
        f"log_dest file {b.log_file}" if b.log_file else "log_dest syslog",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "connection_messages true",
    ]
    if b.run_as:
        lines += ["", f"user {b.run_as}"]
    return lines


def render_conf(site: SiteBroker, where: Path) -> str:
    b = Listener(
        site.tree.base, site.port, site.bind, where, site.persistence_dir, site.log_file, site.run_as
    )
    lines = broker_lines(b)
    if site.uplink is not None:
        lines += ["", *bridge_lines(site.tree, site.uplink, where / "uplink-ca.crt")]
    return "\n".join(lines) + "\n"


def write_broker_config(site: SiteBroker, out: Path) -> list[Path]:
    """Write mosquitto.conf, passwords, acl and the TLS files into ``out``; the paths written."""
    site.check()
    out.mkdir(parents=True, exist_ok=True)
    where = (site.install_dir or out).resolve()
    files = [
        (site.ca_file, "ca.crt", 0o644),
        (site.cert_file, "server.crt", 0o644),
        (site.key_file, "server.key", PRIVATE),
    ]
    if site.uplink is not None:
        files.append((site.uplink.ca_file, "uplink-ca.crt", 0o644))
    acl = render_acl(site.tree, site.hub_user, list(site.kiosks), list(site.practice_users), site.lines)
    if site.probe_password:
        acl += "\n".join(["", *probe_acl_lines()])
    # With an uplink the conf holds the bridge's password: private like the others.
    conf_mode = PRIVATE if site.uplink is not None else 0o644
    return write_files(out, site.logins(), acl, files, render_conf(site, where), conf_mode=conf_mode)


def write_files(
    out: Path,
    logins: dict[str, str],
    acl: str,
    copies: list[tuple[Path, str, int]],
    conf: str,
    *,
    conf_mode: int = 0o644,
) -> list[Path]:
    """passwords, acl, the copied TLS files and mosquitto.conf (last) in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, text: str, mode: int) -> None:
        path = out / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text)
        tmp.chmod(mode)
        os.replace(tmp, path)
        written.append(path)

    put("passwords", "".join(password_line(u, p) + "\n" for u, p in logins.items()), PRIVATE)
    put("acl", acl, PRIVATE)
    written += copy_files(copies, out)
    put("mosquitto.conf", conf, conf_mode)
    return written


def copy_files(files: list[tuple[Path, str, int]], out: Path) -> list[Path]:
    """Copy each (source, name, mode) into ``out``; the paths written."""
    written = []
    for source, name, mode in files:
        if source.resolve() != (out / name).resolve():
            shutil.copyfile(source, out / name)
        (out / name).chmod(mode)
        written.append(out / name)
    return written


def add_command(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    cmd = sub.add_parser("broker-config", help="write mosquitto's configuration for this site")
    cmd.add_argument(
        "--out", required=True, help="directory to write mosquitto.conf, passwords, acl, TLS files"
    )
    cmd.add_argument("--install-dir", default="", help="where the files will live (default: --out)")
    cmd.add_argument("--ca", required=True, help="the practice's CA certificate (PEM)")
    cmd.add_argument("--cert", required=True, help="the broker's server certificate (PEM)")
    cmd.add_argument("--key", required=True, help="the broker's server key (PEM)")
    cmd.add_argument("--kiosk", action="append", default=[], metavar="ID:PASSWORD")
    cmd.add_argument("--kiosk-password-file", action="append", default=[], metavar="ID:FILE")
    cmd.add_argument("--hub-password-file", required=True, help="the hub's broker password")
    cmd.add_argument("--practice-user", action="append", default=[], metavar="NAME:PASSWORD_FILE")
    cmd.add_argument(
        "--line", action="append", default=[], metavar="ID", help="a --kiosk that is a phone line (caller ID)"
    )
    cmd.add_argument(
        "--probe-password-file", default="", help="a login for `kiosk hub broker-probe` (user broker-probe)"
    )
    cmd.add_argument("--port", type=int, default=8883)
    cmd.add_argument("--bind", default="", help="address to listen on (default: every interface)")
    cmd.add_argument("--persistence-dir", default="/var/lib/mosquitto/")
    cmd.add_argument("--run-as", default="", help="mosquitto's `user` (default: its own, mosquitto)")
    cmd.add_argument(
        "--make-dirs",
        action="store_true",
        help="make the persistence directory here (owner mosquitto); else print the command",
    )
    cmd.set_defaults(handler=handler)


def _pairs(values: list[str], what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, sep, rest = value.partition(":")
        if not sep or not name or not rest:
            raise ConfigError(f"{what} wants NAME:VALUE, got {value!r}")
        pairs.append((name, rest))
    return pairs


def _read_secret(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the password file {path}: {exc.strerror}") from None


def write_from_args(args: argparse.Namespace, settings: Settings) -> str:
    """Write the site's files from ``kiosk hub broker-config``'s arguments; what to tell the technician."""
    kiosks = dict(_pairs(args.kiosk, "--kiosk"))
    kiosks |= {k: _read_secret(f) for k, f in _pairs(args.kiosk_password_file, "--kiosk-password-file")}
    site = SiteBroker(
        tree=TopicTree(settings.kiosk.practice, settings.kiosk.site),
        hub_user=settings.broker.username or settings.hub.client_id,
        hub_password=_read_secret(args.hub_password_file),
        kiosks=kiosks,
        practice_users={u: _read_secret(f) for u, f in _pairs(args.practice_user, "--practice-user")},
        ca_file=Path(args.ca),
        cert_file=Path(args.cert),
        key_file=Path(args.key),
        port=args.port,
        bind=args.bind,
        install_dir=Path(args.install_dir) if args.install_dir else None,
        persistence_dir=args.persistence_dir.rstrip("/") + "/",  # mosquitto appends the file name
        run_as=args.run_as,
        probe_password=_read_secret(args.probe_password_file) if args.probe_password_file else "",
        lines=tuple(args.line),
    )
    written = write_broker_config(site, Path(args.out))
    conf = (site.install_dir or Path(args.out)).resolve() / "mosquitto.conf"
    lines = [f"wrote {len(written)} files for {site.tree.base} to {args.out}:"]
    lines += [f"  {path.name}" for path in written]
    lines.append("Make passwords, acl and server.key owned by root:mosquitto (mode 0640), then")
    lines.append(f"run `mosquitto -c {conf}` (or include it from /etc/mosquitto/mosquitto.conf).")
    lines += dir_lines([persistence_dir(site.tree.base, site.persistence_dir, site.run_as)], args.make_dirs)
    return "\n".join(lines)


__all__ = [
    "Listener",
    "SiteBroker",
    "add_command",
    "broker_lines",
    "copy_files",
    "password_line",
    "render_conf",
    "write_broker_config",
    "write_files",
    "write_from_args",
]
