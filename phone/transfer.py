"""Transfer to the front desk (key 9), the pure part: the office hours, the REFER's
answers and its NOTIFY progress (RFC 3515 with a ``message/sipfrag`` body, RFC 3420),
and the outcome. Time is passed in.

The line is the transferor: it sends REFER with ``Refer-To: <desk>`` in the caller's
dialog; the caller's side (phone or PBX) answers 202 and calls the desk, reporting how
that call goes in NOTIFYs. A final 2xx means the caller is with the desk and the line
hangs up (BYE); a refusal of the REFER, a failed desk call, or no final word within the
timeout means the caller stays on the line and hears the callback offer instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from config.hours import WeeklySpan, is_open_weekly, parse_weekly_hours
from core.errors import ConfigError

Outcome = Literal["transferred", "refused", "no_answer", "closed", "unavailable"]
_SIPFRAG = re.compile(rb"^SIP/2\.0 ([1-6]\d\d)\b")


@dataclass(frozen=True)
class OfficeHours:
    """When the desk takes transfers (``[phone] desk_hours``, the format of
    ``config.hours.parse_weekly_hours``, checked when the settings load); empty: always."""

    spans: tuple[WeeklySpan, ...] = ()

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        try:
            return cls(parse_weekly_hours(text))
        except ValueError as exc:
            raise ConfigError(f"phone.desk_hours = {text[:60]!r}: {exc}") from None

    def open_at(self, when: datetime) -> bool:
        return is_open_weekly(self.spans, when)


def sipfrag_status(body: bytes) -> int | None:
    """The status of a ``message/sipfrag`` body (``SIP/2.0 200 OK``), or None."""
    match = _SIPFRAG.match(body.lstrip())
    return int(match.group(1)) if match else None


@dataclass
class Transfer:
    """One REFER in flight: fed the REFER's final response and the NOTIFYs, and asked for
    its outcome (None while it is still going)."""

    started: float
    timeout_s: float = 30.0
    accepted: bool = False
    outcome: Outcome | None = None

    def on_response(self, status: int) -> None:
        if self.outcome is not None or status < 200:
            return
        if status < 300:
            self.accepted = True
        else:
            self.outcome = "refused"  # 403, 405, 501, 603: the caller's side does not transfer

    def on_notify(self, status: int | None, terminated: bool) -> None:
        """A NOTIFY's sipfrag status (None: unreadable) and whether the subscription ended."""
        if self.outcome is not None:
            return
        self.accepted = True  # a NOTIFY can overtake the 202 (RFC 3515 §2.4.7)
        if status is not None and 200 <= status < 300:
            self.outcome = "transferred"
        elif (status is not None and status >= 300) or terminated:
            self.outcome = "no_answer"  # busy, no answer, declined, or ended with no final word

    def check(self, now: float) -> Outcome | None:
        if self.outcome is None and now - self.started > self.timeout_s:
            self.outcome = "no_answer"
        return self.outcome


__all__ = ["OfficeHours", "Outcome", "Transfer", "sipfrag_status"]
