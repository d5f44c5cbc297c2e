"""Field checks shared by the message declarations (``sync.messages``, ``sync.staff_messages``)
and the hub's schedule import: each raises ``WireError(BAD_VALUE, ...)``.

Error text names the field and what was expected, never the value: an id or a date may
carry a patient's name or birth date, and rejections are logged.
"""

from __future__ import annotations

import re
from datetime import date as _date
from datetime import datetime as _datetime

from core.errors import WireError
from sync.wire import BAD_VALUE

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# The highest version a receiver applies. A hub issues one per change, so 2^31 - 1 is more
# than a century of a change a second; a version past it is a forgery or a bug, and
# applying it would pin every kiosk to it (no real version could ever be newer).
MAX_VERSION = 2**31 - 1


def check(ok: bool, what: str) -> None:
    """``what`` is the error's text when ``ok`` is false."""
    if not ok:
        raise WireError(BAD_VALUE, what)


def check_id(value: str, name: str) -> None:
    check(bool(_ID.match(value)), f"{name} is not an id (letters, digits, '.', '_', '-')")


def _real_stamp(value: str) -> bool:
    if not _STAMP.match(value):
        return False
    try:
        _datetime.fromisoformat(value)
    except ValueError:  # 2026-02-30T09:00, 2026-11-30T25:61
        return False
    return True


def check_stamp(value: str, name: str) -> None:
    check(_real_stamp(value), f"{name} is not a real YYYY-MM-DDTHH:MM")


def check_version(value: int, name: str = "version", low: int = 1) -> None:
    check(low <= value <= MAX_VERSION, f"{name} out of {low}..{MAX_VERSION}")


# An epoch's ``seq`` is the hub's clock (Unix milliseconds) when it started the epoch, or one
# above the newest it had seen; a receiver also refuses an epoch more than a day ahead of
# its own clock (``sync.state.decide_epoch``).
MAX_EPOCH_SEQ = 2**53 - 1
_EPOCH_ID = re.compile(r"^[0-9a-f]{8,32}$")


def check_epoch(seq: int, epoch_id: str, name: str = "epoch") -> None:
    """``(0, "")`` (a sender older than epochs), or a seq in 1..MAX_EPOCH_SEQ with a hex id."""
    if seq == 0 and not epoch_id:
        return
    check(0 < seq <= MAX_EPOCH_SEQ, f"{name}.seq out of 1..{MAX_EPOCH_SEQ}")
    check(bool(_EPOCH_ID.match(epoch_id)), f"{name}.id is not 8..32 lower-case hex digits")


def check_key(value: str) -> None:
    check(8 <= len(value) <= 64, "key must be 8..64 characters")


_PROOF = re.compile(r"^([0-9a-f]{64})?$")


def check_proof(value: str, name: str) -> None:
    """A staff proof (``sync.proof``): empty, or 64 lower-case hex digits."""
    check(bool(_PROOF.match(value)), f"{name} is not a 64-digit hex proof")


def check_status_fields(state: str, delay_min: int, leaving_at: str, reason: str) -> None:
    check(0 <= delay_min <= 600, "delay_min out of 0..600")
    check(state != "late" or delay_min > 0, "state late needs delay_min > 0")
    check(state != "leaving_early" or bool(_HHMM.match(leaving_at)), "leaving_at is not HH:MM")
    check(len(reason) <= 200, "reason longer than 200")


def _real_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        _date.fromisoformat(value)
    except ValueError:  # 2026-02-30, 9999-99-99
        return False
    return True


def check_date(value: str, name: str) -> None:
    check(_real_date(value), f"{name} is not a real YYYY-MM-DD")


__all__ = [
    "MAX_EPOCH_SEQ",
    "MAX_VERSION",
    "check",
    "check_date",
    "check_epoch",
    "check_id",
    "check_key",
    "check_proof",
    "check_stamp",
    "check_status_fields",
    "check_version",
]
