"""The brokers' persistence directories: mosquitto saves its retained messages and
queued sessions there (``persistence_location``) and never creates it. A missing or
unwritable directory costs nothing at start - mosquitto logs an error at every autosave
and saves nothing - so a killed broker would come back empty. ``kiosk hub broker-config``
and ``fleet-config`` therefore make the directories (``--make-dirs``, on the broker's own
host) or print the exact command that does."""

from __future__ import annotations

import os
import pwd
import shlex
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError

MOSQUITTO_USER = "mosquitto"  # mosquitto 2 started as root drops to this user (unless `user`)
_MODE = 0o750


@dataclass(frozen=True)
class PersistenceDir:
    broker: str  # which broker (``central``, ``site-north``, or the site's tree)
    path: str  # mosquitto's persistence_location (ends with "/")
    owner: str  # the user mosquitto runs as: it writes here

    def command(self) -> str:
        """What to run on the broker's host (as root) to make it."""
        quoted = shlex.quote(self.path)
        return f"install -d -o {self.owner} -g {self.owner} -m {_MODE:o} {quoted}"


def persistence_dir(broker: str, path: str, run_as: str) -> PersistenceDir:
    return PersistenceDir(broker, path, run_as or MOSQUITTO_USER)


def make_dir(d: PersistenceDir) -> str:
    """Make ``d`` here, owned by its broker's user when run as root; what was done.

    Run as another user (a test, a technician's laptop) the directory is made and left to
    this user, who is then the one to run mosquitto (``run_as``)."""
    path = Path(d.path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(_MODE)
    except OSError as exc:
        raise ConfigError(
            f"cannot make {d.path} for {d.broker}: {exc.strerror}; run: {d.command()}"
        ) from None
    if os.geteuid() != 0:
        return f"made {d.path} ({d.broker}), owned by this user: mosquitto must run as it"
    try:
        user = pwd.getpwnam(d.owner)
    except KeyError:
        raise ConfigError(
            f"cannot give {d.path} to user {d.owner!r}: no such user here (is mosquitto installed?)"
        ) from None
    os.chown(path, user.pw_uid, user.pw_gid)
    return f"made {d.path} ({d.broker}), owner {d.owner}, mode {_MODE:o}"


def dir_lines(dirs: list[PersistenceDir], make: bool) -> list[str]:
    """The printout: what was made, or the commands to run on each broker's host."""
    if make:
        return [make_dir(d) for d in dirs]
    lines = ["mosquitto saves its retained messages and queues only into a directory that exists and"]
    lines.append("is its own; on each broker's host, as root (or run again with --make-dirs there):")
    lines += [f"  {d.command()}    # {d.broker}" for d in dirs]
    return lines


__all__ = ["MOSQUITTO_USER", "PersistenceDir", "dir_lines", "make_dir", "persistence_dir"]
