"""What the phone line tells the hub about each call when it ends, for the dashboard's calls
card: what happened on the call, as outcome kinds only. No caller number, no call id of
the PBX, no patient data: a ``staff_event`` with action ``call_report`` whose ``detail`` is
``outcomes=<kind>,<kind> seconds=<n>`` (its own durable outbox row, recorded once by the
hub like a callback request). Pure: the line encodes, the hub parses; a detail that does
not parse is refused with a reason, never half-read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast, get_args

# The order is the card's: what a caller got, from the most to the least.
CallOutcome = Literal[
    "status_heard",  # the opening with the providers' status played to its end
    "own_found",  # key 3 found the caller's own appointment
    "own_not_found",  # key 3 found none (or several) for what was keyed
    "own_refused",  # key 3 refused: too many lookups from this number (phone/lookup_limit.py)
    "callback_left",  # a callback request was queued for the hub
    "transferred",  # the desk took the call (REFER accepted)
    "hung_up_early",  # the caller left before the status ended, having done nothing else
]
OUTCOMES: tuple[CallOutcome, ...] = get_args(CallOutcome)
ACTION = "call_report"
MAX_CALL_S = 86_400  # longer than any call the line keeps (``max_call_s``)

_DETAIL = re.compile(r"^outcomes=([a-z0-9_,]*) seconds=(\d{1,6})$")


class BadCallReport(ValueError):
    """A call report's detail that is not one; the text says why (never the detail)."""


@dataclass(frozen=True)
class CallReport:
    outcomes: tuple[CallOutcome, ...]  # each at most once, in ``OUTCOMES`` order
    seconds: int

    def detail(self) -> str:
        return f"outcomes={','.join(self.outcomes)} seconds={self.seconds}"


def report(outcomes: set[CallOutcome] | frozenset[CallOutcome], seconds: float) -> CallReport:
    """A report of ``outcomes`` (in the card's order) for a call that lasted ``seconds``."""
    return CallReport(tuple(o for o in OUTCOMES if o in outcomes), max(0, min(MAX_CALL_S, round(seconds))))


def parse_detail(detail: str) -> CallReport:
    match = _DETAIL.match(detail)
    if match is None:
        raise BadCallReport("not 'outcomes=... seconds=N'")
    names = [n for n in match.group(1).split(",") if n]
    unknown = [n for n in names if n not in OUTCOMES]
    if unknown:
        raise BadCallReport(f"unknown outcome kind {unknown[0][:24]!r}")
    if len(set(names)) != len(names):
        raise BadCallReport("an outcome kind given twice")
    seconds = int(match.group(2))
    if seconds > MAX_CALL_S:
        raise BadCallReport(f"seconds past {MAX_CALL_S}")
    return report({cast(CallOutcome, n) for n in names}, seconds)


__all__ = ["ACTION", "OUTCOMES", "BadCallReport", "CallOutcome", "CallReport", "parse_detail", "report"]
