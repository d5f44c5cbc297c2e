"""``kiosk hub revoke ID``: a kiosk stops being one of the practice's units.

1. The revocation is recorded in the hub's store (and audited); the running hub publishes
   it retained on ``hub/revoked/<id>`` within a second and on every connect after. A
   kiosk connected now reads it and erases its cache and keys.
2. The kiosk's line in the broker's password file and its block in the ACL (the files
   ``kiosk hub broker-config`` wrote, ``[hub] broker_dir``) are removed, and the broker is
   told to reload. A kiosk that was away is refused from then on, and erases itself once
   refused for ``[kiosk] revoked_wipe_s`` (``kiosk.enrollment``).

A revoked id stays revoked: provision the unit again under a new id.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from config.settings import Settings
from core.clock import Clock, SystemClock
from core.errors import ConfigError
from hub.store import HubStore
from sync.vault import store_key_source


@dataclass
class Revoked:
    kiosk_id: str
    newly: bool
    published: bool
    broker_files: list[str] = field(default_factory=list)
    reloaded: bool = False


def revoke(
    settings: Settings,
    kiosk_id: str,
    reason: str,
    *,
    broker_dir: Path | None = None,
    reload_command: str = "",
    wait_s: float = 10.0,
    clock: Clock | None = None,
) -> Revoked:
    clock = clock or SystemClock()
    path = Path(settings.hub.state_dir) / "hub.sqlite"
    store = HubStore.open(path, key=store_key_source(settings))
    try:
        now = clock.now().isoformat()
        with store.transaction():
            newly = store.revocations.revoke(kiosk_id, now, reason)
            if newly:
                store.audit.append(now, "practice", "", kiosk_id, "kiosk_revoked", reason=reason)
        published = _wait_published(store, kiosk_id, wait_s)
    finally:
        store.close()
    result = Revoked(kiosk_id, newly, published)
    if broker_dir is not None:
        result.broker_files = remove_from_broker(broker_dir, kiosk_id)
        if reload_command:
            _run(reload_command)
            result.reloaded = True
    return result


def _wait_published(store: HubStore, kiosk_id: str, wait_s: float) -> bool:
    """The running hub publishes it on its next tick: the broker must not drop the
    kiosk's ACL before a connected kiosk could read it."""
    deadline = time.monotonic() + wait_s
    while True:
        if store.revocations.published_at(kiosk_id):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def remove_from_broker(broker_dir: Path, kiosk_id: str) -> list[str]:
    """Drop ``kiosk_id`` from ``passwords`` and ``acl`` in ``broker_dir``; the files changed."""
    changed = []
    passwords = broker_dir / "passwords"
    acl = broker_dir / "acl"
    for path in (passwords, acl):
        if not path.is_file():
            raise ConfigError(f"{path}: not found (is {broker_dir} where `kiosk hub broker-config` wrote?)")
    kept = [line for line in passwords.read_text().splitlines() if line.split(":", 1)[0] != kiosk_id]
    if _replace(passwords, kept):
        changed.append(str(passwords))
    if _replace(acl, acl_without(acl.read_text(), kiosk_id)):
        changed.append(str(acl))
    return changed


def acl_without(text: str, user: str) -> list[str]:
    """The ACL's lines without ``user``'s block (``user NAME`` up to the next blank line)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.strip() == f"user {user}":
            skipping = True
            continue
        if skipping and (not line.strip() or line.startswith("user ")):
            skipping = False
            if not line.strip():
                continue
        if not skipping:
            out.append(line)
    return out


def _replace(path: Path, lines: list[str]) -> bool:
    text = "".join(line + "\n" for line in lines)
    if text == path.read_text():
        return False
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.chmod(tmp, path.stat().st_mode & 0o777)
    if os.geteuid() == 0:
        st = path.stat()
        os.chown(tmp, st.st_uid, st.st_gid)
    os.replace(tmp, path)
    return True


def _run(command: str) -> None:
    done = subprocess.run(shlex.split(command), capture_output=True, timeout=30, check=False)  # noqa: S603
    if done.returncode != 0:
        raise ConfigError(f"the broker reload command {command!r} failed (exit {done.returncode})")
