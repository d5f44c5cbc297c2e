"""Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): after a
member signs in, their browser gets a cookie naming a random device id and the staff ids
that signed in on it, signed with the hub's device key. A later attempt for one of those ids
from that browser is accounted on the device's own lane, so a stranger cannot lock it.

The key is kept in a ``0600`` file beside the hub database, so known devices stay known
across a hub restart; deleting the file forgets every device.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

_MAX_IDS = 16  # members remembered per browser (a shared workstation)
DEVICE_MAX_AGE_S = 180 * 86400


@dataclass(frozen=True)
class Device:
    """What a valid device cookie says: its id and who has signed in on it."""

    id: str
    staff_ids: frozenset[str]


class DeviceKeys:
    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def load_or_create(cls, path: Path) -> DeviceKeys:
        try:
            return cls(bytes.fromhex(path.read_text().strip()))
        except (OSError, ValueError):
            key = secrets.token_bytes(32)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(key.hex())
            return cls(key)

    def issue(self, device: Device | None, staff_id: str) -> str:
        """The cookie value of ``device`` (a new one when None) with ``staff_id`` added."""
        device_id = device.id if device else secrets.token_urlsafe(16)
        ids = sorted((device.staff_ids if device else frozenset()) | {staff_id})[-_MAX_IDS:]
        payload = base64.urlsafe_b64encode(json.dumps([device_id, ids]).encode()).decode().rstrip("=")
        return f"{payload}.{self._sign(payload)}"

    def read(self, value: str | None) -> Device | None:
        """The device a cookie names, or None when it is absent, malformed or not ours."""
        payload, _, sig = (value or "").partition(".")
        if not payload or not hmac.compare_digest(sig, self._sign(payload)):
            return None
        try:
            device_id, ids = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:
            return None
        if not isinstance(device_id, str) or not isinstance(ids, list):
            return None
        return Device(device_id, frozenset(str(i) for i in ids))

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()
