"""Find a patient's appointment: date of birth (+ first letters of the last name) or a
confirmation code. Tolerant of one transposed digit and of one wrong letter; never
returns more than the matching appointments.

Pure over a ``Source`` (the kiosk cache satisfies it), so it is tested without SQLite
and benchmarked with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sync.messages import Appointment


class Source(Protocol):
    def appointments_by_dob(self, dobs: list[str]) -> list[Appointment]: ...
    def appointment_by_code(self, code: str) -> Appointment | None: ...


@dataclass(frozen=True)
class Match:
    appointments: list[Appointment]
    exact: bool  # False when found only through a transposed digit or a typo


def dob_candidates(digits: str) -> list[str]:
    """ISO dates for ``MMDDYYYY`` as typed, then with one adjacent pair of digits swapped."""
    if len(digits) != 8 or not digits.isdigit():
        return []
    variants = [digits] + [
        digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        for i in range(7)
        if digits[i] != digits[i + 1]
    ]
    out: list[str] = []
    for v in variants:
        try:
            iso = date(int(v[4:]), int(v[:2]), int(v[2:4])).isoformat()
        except ValueError:
            continue
        if iso not in out:
            out.append(iso)
    return out


def _valid(digits: str) -> bool:
    try:
        date(int(digits[4:]), int(digits[:2]), int(digits[2:4]))
    except ValueError:
        return False
    return True


def _close_enough(typed: str, prefix: str) -> bool:
    """Equal, or one substitution / one missing letter apart (on the typed length)."""
    typed, prefix = typed.upper(), prefix.upper()[: len(typed)]
    if typed == prefix:
        return True
    if len(typed) == len(prefix):
        return sum(a != b for a, b in zip(typed, prefix, strict=True)) <= 1 and len(typed) >= 2
    return False


def find_by_dob(source: Source, digits: str, letters: str = "") -> Match:
    candidates = dob_candidates(digits)
    if not candidates:
        return Match([], True)
    found = source.appointments_by_dob(candidates)
    as_typed = dob_candidates(digits[:8])[:1] if _valid(digits) else []
    exact = [a for a in found if a.dob in as_typed]
    pool, is_exact = (exact, True) if exact else (found, False)
    if letters:
        strict = [a for a in pool if a.last_prefix.startswith(letters.upper())]
        if strict:
            return Match(strict, is_exact)
        return Match([a for a in pool if _close_enough(letters, a.last_prefix)], False)
    return Match(pool, is_exact)


def find_by_code(source: Source, code: str) -> Match:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    hit = source.appointment_by_code(cleaned)
    if hit is not None:
        return Match([hit], True)
    # Letters patients confuse on a printed code.
    swapped = cleaned.translate(str.maketrans("O0I1", "0O1I"))
    hit = source.appointment_by_code(swapped) if swapped != cleaned else None
    return Match([hit] if hit else [], False)
