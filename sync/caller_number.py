"""A caller's number as the phone line's From header gives it, made E.164 where it can be
(pure). The hub keeps patients' phone numbers in E.164 (``hub.notify.contacts``), so a
caller-ID lookup (``sync.messages.CallerLookup``) carries the number in that form or not
at all. The line serves a North American practice (it says "dial 9 1 1"): ten digits are a
NANP number, eleven starting with 1 too; "+" or the international prefix 011 starts any
other country's number. Anything else is refused with a reason that never shows the digits
(the reasons are counted and may be logged; the number is not).
"""

from __future__ import annotations

import re

from core.errors import WireError
from sync.wire import BAD_VALUE

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# NANP: ten digits after the 1. (Not stricter: the sample day's fictional +1 555 000 numbers
# must match themselves, and the hub only compares numbers it holds.)
_NANP = re.compile(r"^[0-9]{10}$")
_SEPARATORS = " -.()/"


def is_e164(number: str) -> bool:
    return bool(_E164.match(number))


def check_e164(number: str, name: str = "number") -> None:
    """A ``WireError`` naming the field, never its value."""
    if not is_e164(number):
        raise WireError(BAD_VALUE, f"{name} is not an E.164 number (+, then 7 to 15 digits)")


def e164(raw: str) -> str:
    """``raw`` (the From user part) as E.164; ``ValueError`` with the reason when it cannot be.

    >>> e164("(555) 201-0123")
    '+15552010123'
    """
    text = raw.strip()
    if not text:
        raise ValueError("withheld")
    if len(text) > 32:
        raise ValueError("too long")
    plus = text.startswith("+")
    digits = text[1:] if plus else text
    for sep in _SEPARATORS:
        digits = digits.replace(sep, "")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("not digits")
    if plus:
        number = "+" + digits
    elif digits.startswith("011"):
        number = "+" + digits[3:]
    elif len(digits) == 11 and digits.startswith("1"):
        number = "+" + digits
    elif len(digits) == 10:
        number = "+1" + digits
    else:
        raise ValueError("not a full number")  # an extension, a short code, a local number
    if not is_e164(number):
        raise ValueError("not a full number")
    if number.startswith("+1") and not _NANP.match(number[2:]):
        raise ValueError("not a NANP number")
    return number


__all__ = ["check_e164", "e164", "is_e164"]
