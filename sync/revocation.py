"""Revocation: the hub's word that a kiosk is no longer enrolled, and the pure rule by
which a kiosk decides to erase itself.

A kiosk holds patient data only while it can show it is still one of the practice's
units. Three things end that (``EnrollmentWatch.due``):

* **told**: the hub's retained ``KioskRevoked`` on ``hub/revoked/<kiosk>`` (published by
  ``kiosk hub revoke``) - at once;
* **refused**: the broker (whose certificate the kiosk checks, over TLS) has refused this
  kiosk's credential as unknown or not authorised, and has kept refusing it for
  ``revoked_wipe_s`` - what follows ``kiosk hub revoke`` removing the credential while the
  kiosk was away;
* **lease run out**: nothing has shown the kiosk is enrolled - an accepted connection -
  for ``enrollment_lease_s`` (a kiosk carried off and switched on elsewhere).

Any accepted connection resets the refusal clock and renews the lease. The clock is the
caller's (injected ``now`` in seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.messages import check_id, check_stamp
from sync.wire import Message, declare

# What paho reports for "this credential is not accepted" (MQTT 5 and 3.1.1 wordings).
_AUTH_WORDS = ("not authori", "bad user name or password", "bad username or password", "banned")


@declare
@dataclass(frozen=True)
class KioskRevoked(Message):
    """Retained at ``hub/revoked/<kiosk>``: this kiosk must erase its cache and keys."""

    KIND = "kiosk_revoked"

    kiosk_id: str
    revoked_at: str
    reason: str = ""

    def validate(self) -> None:
        check_id(self.kiosk_id, "kiosk_id")
        check_stamp(self.revoked_at, "revoked_at")


def is_auth_refusal(reason: str) -> bool:
    text = reason.lower()
    return any(word in text for word in _AUTH_WORDS)


@dataclass
class EnrollmentWatch:
    """When must this kiosk wipe itself? ``0`` disables a limit."""

    revoked_wipe_s: float
    lease_s: float
    last_accepted: float | None = None  # when the broker last accepted us (None: not in this run)
    refused_since: float | None = None
    told: str = ""

    def accepted(self, now: float) -> None:
        self.last_accepted = now
        self.refused_since = None

    def refused(self, reason: str, now: float) -> None:
        if is_auth_refusal(reason) and self.refused_since is None:
            self.refused_since = now

    def revoked(self, msg: KioskRevoked, kiosk_id: str) -> None:
        if msg.kiosk_id == kiosk_id:
            self.told = msg.reason or "revoked by the practice"

    def due(self, now: float, unproven_s: float) -> str:
        """Why to wipe now ("" for not yet). ``unproven_s``: seconds since the kiosk was
        last known enrolled across restarts (its cache's last contact; -1: never)."""
        if self.told:
            return f"revoked: {self.told}"
        refused_s = -1.0 if self.refused_since is None else now - self.refused_since
        if self.revoked_wipe_s and refused_s >= self.revoked_wipe_s:
            return f"the broker has refused this kiosk's credential for {int(refused_s)} s"
        ages = [unproven_s] if unproven_s >= 0 else []
        if self.last_accepted is not None:
            ages.append(now - self.last_accepted)
        if self.lease_s and ages and min(ages) >= self.lease_s:
            return f"not accepted by the practice for {int(min(ages))} s (enrollment lease)"
        return ""


__all__ = ["EnrollmentWatch", "KioskRevoked", "is_auth_refusal"]
