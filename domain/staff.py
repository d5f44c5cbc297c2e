"""Staff identity: roles, and PINs stored only as salted scrypt hashes.

A member is configured as ``id = "role:scrypt$N$r$p$salt$hash"`` in ``[staff.members]``
(written by ``kiosk provision``); a badge is ``badge:<id>`` hashed the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from core.errors import ConfigError

_N, _R, _P = 2**14, 8, 1


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    SUPERVISOR = "supervisor"
    TECHNICIAN = "technician"


def hash_secret(secret: str, salt: bytes | None = None, n: int = _N) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32)
    return f"scrypt${n}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            secret.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(bytes.fromhex(digest)),
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


@dataclass(frozen=True)
class StaffMember:
    id: str
    role: Role
    pin_hash: str
    badge_hash: str = ""  # a staff badge read by the card reader, hashed like the PIN


def parse_members(members: dict[str, str]) -> list[StaffMember]:
    out = []
    for member_id, value in members.items():
        role, _, hashes = value.partition(":")
        pin_hash, _, badge_hash = hashes.partition(":")
        ok = pin_hash.startswith("scrypt$") and (not badge_hash or badge_hash.startswith("scrypt$"))
        if role not in Role.__members__.values() or not ok:
            raise ConfigError(
                f"staff.members.{member_id}: expected 'ROLE:scrypt$...[:scrypt$...]' with ROLE one of "
                f"{', '.join(r.value for r in Role)} (set PINs with `kiosk provision --staff`)"
            )
        out.append(StaffMember(member_id, Role(role), pin_hash, badge_hash))
    return out


def find_by_pin(members: list[StaffMember], pin: str) -> StaffMember | None:
    """The member whose PIN this is. Checks every member (constant work per attempt)."""
    found = None
    for member in members:
        if verify_secret(pin, member.pin_hash) and found is None:
            found = member
    return found


def find_by_badge(members: list[StaffMember], badge_id: str) -> StaffMember | None:
    found = None
    for member in members:
        if member.badge_hash and verify_secret(badge_id, member.badge_hash) and found is None:
            found = member
    return found
