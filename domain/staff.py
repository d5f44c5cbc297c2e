"""Staff identity: roles, PIN and badge records, and the one derivation behind both.

A PIN (or a badge id) is stretched once, ``D = scrypt(secret, salt)``, and ``D`` gives two
keys that do not reveal each other:

* the *verifier* ``HMAC(D, "kiosk-verify")``, which a kiosk stores to check a PIN offline;
* the *proof key* ``HMAC(D, "hub-proof")``, which only the hub stores. A kiosk rebuilds it
  while the person types the PIN and signs that person's requests with it
  (``sync.proof``), so the hub can tell a request a person made from one a kiosk made up.

The salt is derived from the practice and the member's id, so every kiosk of a practice,
provisioned on its own, and the hub agree on the keys. Sign-in never tries every member: the
member is picked first (or found by the badge's keyed index) and one derivation follows.
See ``docs/security.md`` for the threat model.

``[staff.members]`` on a kiosk: ``id = "ROLE:pin$N$r$p$SALT$VERIFIER[:badge$N$r$p$SALT$INDEX]"``;
on the hub: ``id = "ROLE:proof$PINKEY[$BADGEKEY]"`` (hex). ``kiosk provision --staff`` writes both.
An old ``ROLE:scrypt$...[:scrypt$...]`` entry still gives the role and signs in, but makes no
proof, so the hub refuses that member's kiosk requests until the staff is provisioned again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import pairwise

from core.errors import ConfigError

# 16 MiB and ~40 ms per derivation on a 2020s x86 core, ~0.2 s on a Raspberry Pi 4 (the
# kiosk's budget for one sign-in). Offline, one guess costs one derivation.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_MAX_N = 2**20
_DKLEN = 32


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    SUPERVISOR = "supervisor"
    TECHNICIAN = "technician"


@dataclass(frozen=True)
class Stretch:
    """The scrypt parameters and salt of one member's PIN or badge."""

    n: int
    r: int
    p: int
    salt: bytes

    def derive(self, secret: str) -> bytes:
        return hashlib.scrypt(
            secret.encode(),
            salt=self.salt,
            n=self.n,
            r=self.r,
            p=self.p,
            maxmem=256 * 1024 * 1024,
            dklen=_DKLEN,
        )


def verifier_of(derived: bytes) -> bytes:
    return hmac.new(derived, b"kiosk-verify", hashlib.sha256).digest()


def proof_key_of(derived: bytes) -> bytes:
    return hmac.new(derived, b"hub-proof", hashlib.sha256).digest()


def badge_index(badge_key: bytes, badge_id: str) -> bytes:
    """Where a badge is filed on this kiosk: keyed with the unit's secret, not a bare hash."""
    return hmac.new(badge_key, b"badge\0" + badge_id.encode(), hashlib.sha256).digest()


def member_salt(practice: str, member_id: str, kind: str) -> bytes:
    """Per practice, member and secret kind: the same on every kiosk and on the hub."""
    return hashlib.sha256(f"kiosk-staff-salt\0{practice}\0{member_id}\0{kind}".encode()).digest()[:16]


@dataclass(frozen=True)
class StaffMember:
    id: str
    role: Role
    pin: Stretch | None = None  # kiosk side: how to check this member's PIN
    pin_verifier: bytes = b""
    badge: Stretch | None = None  # kiosk side: how to rebuild the badge's proof key
    badge_index: bytes = b""
    proof_keys: tuple[bytes, ...] = ()  # hub side: the PIN's proof key, then the badge's
    legacy_pin: str = ""  # an old ``scrypt$...`` hash: signs in, makes no proof (re-provision)
    legacy_badge: str = ""


def _stretch(part: str, where: str) -> tuple[Stretch, bytes]:
    """``pin$N$r$p$SALT$VALUE`` (or ``badge$...``) into its stretch and value."""
    try:
        _, n, r, p, salt, value = part.split("$")
        stretch = Stretch(int(n), int(r), int(p), bytes.fromhex(salt))
        raw = bytes.fromhex(value)
    except ValueError:
        raise ConfigError(f"{where}: {part.split('$', 1)[0]}$N$r$p$SALT$VALUE expected") from None
    if not (
        2 <= stretch.n <= _MAX_N
        and stretch.n & (stretch.n - 1) == 0
        and 1 <= stretch.r <= 32
        and stretch.p >= 1
    ):
        raise ConfigError(
            f"{where}: scrypt parameters N={stretch.n} r={stretch.r} p={stretch.p} out of range"
        )
    return stretch, raw


def _member(member_id: str, value: str) -> StaffMember:
    where = f"staff.members.{member_id}"
    role, _, rest = value.partition(":")
    if role not in Role.__members__.values():
        raise ConfigError(
            f"{where}: expected 'ROLE:pin$...' (kiosk) or 'ROLE:proof$...' (hub) with ROLE one of "
            f"{', '.join(r.value for r in Role)} (set PINs with `kiosk provision --staff`)"
        )
    member = StaffMember(member_id, Role(role))
    for part in rest.split(":"):
        kind = part.split("$", 1)[0]
        if kind == "pin":
            pin, verifier = _stretch(part, where)
            member = _with(member, pin=pin, pin_verifier=verifier)
        elif kind == "badge":
            badge, index = _stretch(part, where)
            member = _with(member, badge=badge, badge_index=index)
        elif kind == "scrypt" and not member.legacy_pin:
            member = _with(member, legacy_pin=part)
        elif kind == "scrypt":
            member = _with(member, legacy_badge=part)
        elif kind == "proof":
            try:
                keys = tuple(bytes.fromhex(k) for k in part.split("$")[1:])
            except ValueError:
                raise ConfigError(f"{where}: proof$PINKEY[$BADGEKEY] expected (hex)") from None
            member = _with(member, proof_keys=keys)
        else:
            raise ConfigError(f"{where}: unknown part {kind!r}; expected pin$, badge$ or proof$")
    if member.pin is None and not member.proof_keys and not member.legacy_pin:
        raise ConfigError(f"{where}: no pin$ (kiosk) or proof$ (hub) part")
    return member


def _with(member: StaffMember, **fields: object) -> StaffMember:
    return replace(member, **fields)  # type: ignore[arg-type]


def parse_members(members: dict[str, str]) -> list[StaffMember]:
    return [_member(member_id, value) for member_id, value in members.items()]


class StaffDirectory:
    """A kiosk's staff: the member picked on the pad, or the one a badge is filed under."""

    def __init__(self, members: dict[str, str], badge_key_hex: str = "") -> None:
        self.members = {m.id: m for m in parse_members(members)}
        try:
            self._badge_key = bytes.fromhex(badge_key_hex)
        except ValueError:
            raise ConfigError("staff.badge_key: expected hex") from None
        self._badges = {m.badge_index: m for m in self.members.values() if m.badge_index}
        if self._badges and len(self._badge_key) < 16:
            raise ConfigError("staff.badge_key: badges are provisioned but this unit has no badge key")
        # A stand-in for an unknown id, so a miss costs the same derivation as a wrong PIN.
        self._nobody = Stretch(SCRYPT_N, SCRYPT_R, SCRYPT_P, b"\0" * 16)

    def ids(self) -> list[str]:
        return sorted(self.members)

    def check_pin(self, member_id: str, pin: str) -> tuple[StaffMember, bytes] | None:
        """The member and their proof key when ``pin`` is theirs: one derivation, whoever it is."""
        member = self.members.get(member_id)
        if member is not None and member.pin is None and member.legacy_pin:
            return (member, b"") if verify_secret(pin, member.legacy_pin) else None
        if member is None or member.pin is None:
            self._nobody.derive(pin)
            return None
        derived = member.pin.derive(pin)
        if not hmac.compare_digest(verifier_of(derived), member.pin_verifier):
            return None
        return member, proof_key_of(derived)

    def check_badge(self, badge_id: str) -> tuple[StaffMember, bytes] | None:
        """The badge's member (a keyed index, no search) and the badge's proof key."""
        legacy = [m for m in self.members.values() if m.legacy_badge]
        found = next((m for m in legacy if verify_secret(badge_id, m.legacy_badge)), None)
        if found is not None:
            return found, b""
        if not self._badges:
            return None
        member = self._badges.get(badge_index(self._badge_key, badge_id))
        if member is None or member.badge is None:
            return None
        return member, proof_key_of(member.badge.derive(badge_id))


def provision_member(
    practice: str,
    member_id: str,
    role: str,
    pin: str,
    *,
    badge_id: str = "",
    badge_key: bytes = b"",
    n: int = SCRYPT_N,
) -> tuple[str, str]:
    """The member's ``[staff.members]`` value for a kiosk, and the one for the hub."""
    pin_stretch = Stretch(n, SCRYPT_R, SCRYPT_P, member_salt(practice, member_id, "pin"))
    derived = pin_stretch.derive(pin)
    kiosk = f"{role}:{_part('pin', pin_stretch, verifier_of(derived))}"
    hub = f"{role}:proof${proof_key_of(derived).hex()}"
    if badge_id:
        badge_stretch = Stretch(n, SCRYPT_R, SCRYPT_P, member_salt(practice, member_id, "badge"))
        kiosk += f":{_part('badge', badge_stretch, badge_index(badge_key, badge_id))}"
        hub += f"${proof_key_of(badge_stretch.derive(badge_id)).hex()}"
    return kiosk, hub


def _part(kind: str, s: Stretch, value: bytes) -> str:
    return f"{kind}${s.n}${s.r}${s.p}${s.salt.hex()}${value.hex()}"


def hash_secret(secret: str, salt: bytes | None = None, n: int = SCRYPT_N) -> str:
    """A salted scrypt hash of a password (the hub dashboard's) or an old-style staff PIN."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt" or not 2 <= int(n) <= _MAX_N:
            return False
        candidate = hashlib.scrypt(
            secret.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=256 * 1024 * 1024,
            dklen=len(bytes.fromhex(digest)),
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def pin_weakness(pin: str) -> str:
    """Why ``pin`` is too easy to guess ("" when it is not)."""
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        return "the PIN must be 4 to 12 digits"
    if len(set(pin)) == 1:
        return "the PIN repeats one digit"
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if steps in ({1}, {-1}):
        return "the PIN is a run of consecutive digits"
    if len(pin) == 4 and pin[:2] in ("19", "20"):
        return "the PIN looks like a year (a birth year is easy to guess)"
    if len(pin) % 2 == 0 and pin[: len(pin) // 2] * 2 == pin and len(pin) >= 4:
        return "the PIN repeats itself"
    return ""
