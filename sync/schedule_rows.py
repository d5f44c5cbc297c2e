"""A schedule read row by row: one undecodable appointment costs that appointment, not the day.

``decode_schedule`` is the kiosk's reading of ``schedule/<provider>``, and the hub runs it
on every schedule before it leaves (``hub.publish_guard``): the same function, so what the
hub lets out is what a kiosk takes. A payload whose envelope (provider, date, version,
epoch) is sound gives the schedule of the rows that decode, and a ``BadRow`` for each that
does not, naming its index, its id when that much is readable, and the field, never a
value. A payload whose envelope is not sound raises ``WireError`` as ``decode`` does.

Pure: no paho, no sqlite.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from core.errors import WireError
from sync.messages import Appointment, ProviderSchedule
from sync.validate import check_id
from sync.wire import decode_body, decode_part, parse_body

SCHEDULE_ROW = "schedule_row"  # what a kiosk counts a dropped row under (``rejected`` in its health)


@dataclass(frozen=True)
class BadRow:
    index: int
    appointment_id: str  # '' when the row's id is itself unreadable
    reason: str  # the wire reason: bad_value, missing_field, wrong_type
    field: str  # the field that failed (first_name, dob, ...), as the error names it
    detail: str  # the error's words (fields and expectations, never values)


@dataclass(frozen=True)
class RowDecoded:
    schedule: ProviderSchedule
    bad: tuple[BadRow, ...] = ()


def decode_schedule(payload: bytes) -> RowDecoded:
    """The schedule in ``payload`` with the rows that decode (``bad``: the others)."""
    body = parse_body(payload, ProviderSchedule)
    rows = body.get("appointments")
    if not isinstance(rows, list):
        return RowDecoded(decode_body(body, ProviderSchedule))  # missing or not a list: as decode says
    envelope = decode_body({**body, "appointments": []}, ProviderSchedule)
    good: list[Appointment] = []
    bad: list[BadRow] = []
    for i, row in enumerate(rows):
        try:
            appt = decode_part(row, Appointment, f"schedule.appointments[{i}]")
            appt.check_on(envelope.provider_id, envelope.date)
        except WireError as exc:
            bad.append(BadRow(i, _row_id(row), exc.reason, field_of(exc.detail), exc.detail[:200]))
            continue
        good.append(appt)
    return RowDecoded(dataclasses.replace(envelope, appointments=good), tuple(bad))


def field_of(detail: str) -> str:
    """The field an error names: ``first_name empty ...`` -> first_name,
    ``schedule.appointments[2].dob`` -> dob."""
    head = detail.split(" ", 1)[0].split(":", 1)[0]
    return head.rsplit(".", 1)[-1].split("[", 1)[0][:40] or "?"


def _row_id(row: Any) -> str:
    value = row.get("id") if isinstance(row, dict) else None
    if not isinstance(value, str):
        return ""
    try:
        check_id(value, "id")
    except WireError:
        return ""
    return value


__all__ = ["SCHEDULE_ROW", "BadRow", "RowDecoded", "decode_schedule", "field_of"]
