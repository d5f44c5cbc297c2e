"""Staff for tests: each member's kiosk entry and hub entry, cheaply derived, and their keys."""

from __future__ import annotations

from dataclasses import replace

from config.settings import StaffSettings
from domain.staff import SCRYPT_P, SCRYPT_R, Stretch, member_salt, proof_key_of, provision_member
from sync import messages as m
from sync.proof import sign

FAST = 2**4  # scrypt cost for tests; provisioning uses domain.staff.SCRYPT_N
PRACTICE = "acme"
BADGE_KEY = bytes(range(32))
PINS = {"ana": ("supervisor", "482913"), "ben": ("front_desk", "1234"), "tom": ("technician", "9999")}
BADGES = {"ben": "BADGE-77"}


def staff_pair(
    pins: dict[str, tuple[str, str]] | None = None,
    badges: dict[str, str] | None = None,
    n: int = FAST,
    **settings: object,
) -> tuple[StaffSettings, StaffSettings]:
    """(the kiosks' [staff], the hub's [staff]) for the same people."""
    pins = PINS if pins is None else pins
    badges = BADGES if badges is None else badges
    entries = {
        who: provision_member(
            PRACTICE, who, role, pin, badge_id=badges.get(who, ""), badge_key=BADGE_KEY, n=n
        )
        for who, (role, pin) in pins.items()
    }
    kiosk = StaffSettings(
        members={w: k for w, (k, _h) in entries.items()},
        badge_key=BADGE_KEY.hex(),
        **settings,  # type: ignore[arg-type]
    )
    hub = StaffSettings(members={w: h for w, (_k, h) in entries.items()}, **settings)  # type: ignore[arg-type]
    return kiosk, hub


def proof_key(who: str, pin: str | None = None) -> bytes:
    """The key ``who``'s PIN derives (the sample PIN unless another, maybe wrong, is given)."""
    stretch = Stretch(FAST, SCRYPT_R, SCRYPT_P, member_salt(PRACTICE, who, "pin"))
    return proof_key_of(stretch.derive(PINS[who][1] if pin is None else pin))


def signed(req: m.StatusChangeRequest, key: bytes, approver_key: bytes = b"") -> m.StatusChangeRequest:
    """``req`` with the proofs a kiosk would add."""
    return replace(req, proof=sign(key, req), approval_proof=sign(approver_key, req) if approver_key else "")
