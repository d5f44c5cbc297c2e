"""Read a day's schedule from the practice's export: CSV or JSON.

CSV columns: id, provider_id, provider_name, start (YYYY-MM-DDTHH:MM), duration_min,
first_name, last_name, dob (YYYY-MM-DD), code; optionally, for notifications, phone
(+15555550123), email, consent (yes/no), channel (sms, email, none) and language (en, es).
JSON: ``{"date": ..., "providers": {"id": "name"}, "appointments": [{same keys but
provider_name}]}``. Contacts stay at the hub (``patient_contacts``), never on the wire.

Any file gives a ``DayPlan`` or a ``ConfigError`` that names the row and the column and
what was expected, never the cell's value (it may be a patient's name or birth date).
A bad contact cell (phone, email, consent, channel, language) refuses only that row's
contact, named in ``DayPlan.refused``: the appointment and the rest of the day load, and
that patient is not messaged.
A BOM is allowed (spreadsheets write one); a JSON object that names a key twice, NaN,
Infinity and dates that do not exist are not.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.errors import ConfigError, WireError
from hub.day_plan import DayPlan, HubAppointment
from hub.notify.contacts import PatientContact, check_contact
from sync import messages as m

_COLUMNS = ("id", "provider_id", "start", "duration_min", "first_name", "last_name", "dob", "code")
_MAX_ROWS = 10_000  # a practice's day is hundreds; more is a wrong file

# What each column must hold; each raises WireError naming the column.
_CELL_CHECKS: dict[str, Callable[[str], None]] = {
    "id": lambda v: m.check_id(v, "id"),
    "provider_id": lambda v: m.check_id(v, "provider_id"),
    "start": lambda v: m.check_stamp(v, "start"),
    "dob": lambda v: m.check_date(v, "dob"),
}
_MAX_LEN = {"first_name": 64, "last_name": 80, "code": 16}
_CONTACT_COLUMNS = ("phone", "email", "consent", "channel", "language")
_YES, _NO = frozenset({"yes", "y", "true", "1"}), frozenset({"no", "n", "false", "0", ""})


class _DuplicateKey(Exception):
    pass


def load_plan(path: str | Path) -> DayPlan:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read schedule: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # spreadsheets write a BOM
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if path.suffix.lower() == ".json":
        return plan_from_json(_parse_json(text, str(path)), str(path))
    return plan_from_rows(_read_csv(text, str(path)), {}, str(path))


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{source}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except _DuplicateKey:
        raise ConfigError(f"{source}: an object names the same key twice") from None
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply") from None
    except ValueError:
        raise ConfigError(f"{source}: NaN, Infinity or a number too long to read") from None


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    body = dict(pairs)
    if len(body) != len(pairs):
        raise _DuplicateKey()
    return body


def _read_csv(text: str, source: str) -> list[dict[str, Any]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ConfigError(f"{source}: row 1: missing columns {', '.join(missing)}")
        return list(reader)
    except csv.Error as exc:
        raise ConfigError(f"{source}: not valid CSV near line {reader.line_num}: {exc}") from None


def plan_from_json(data: Any, source: str = "<json>") -> DayPlan:
    if not isinstance(data, dict) or not isinstance(data.get("appointments"), list):
        raise ConfigError(f"{source}: expected an object with an 'appointments' list")
    providers = data.get("providers") or {}
    if not isinstance(providers, dict):
        raise ConfigError(f"{source}: providers: expected an object of id: name")
    date = data.get("date", "")
    if not isinstance(date, str):
        raise ConfigError(f"{source}: date: expected YYYY-MM-DD text")
    return plan_from_rows(data["appointments"], dict(providers), source, date)


def plan_from_rows(rows: list[Any], providers: dict[str, Any], source: str, date: str = "") -> DayPlan:
    if len(rows) > _MAX_ROWS:
        raise ConfigError(f"{source}: {len(rows)} appointments, more than {_MAX_ROWS} in a day")
    if date:
        _check_cell(m.check_date, f"{source}: date", date, "date")
    _check_providers(providers, source)
    appointments: list[HubAppointment] = []
    contacts: list[PatientContact] = []
    refused: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        appt = _appointment(row, f"{source}: row {number}")
        if appt.id in seen:
            raise ConfigError(f"{source}: row {number}: column id: the same appointment id appears twice")
        seen.add(appt.id)
        providers.setdefault(appt.provider_id, _provider_name(row, f"{source}: row {number}", appt))
        appointments.append(appt)
        try:
            contact = _contact(row, appt.id, f"{source}: row {number}")
        except ConfigError as exc:  # that patient is not messaged; the day still loads
            refused.append(str(exc))
            contact = None
        if contact is not None:
            contacts.append(contact)
    days = {a.start[:10] for a in appointments}
    if len(days) > 1 or (date and days and days != {date}):
        raise ConfigError(f"{source}: appointments are not all on one day (the file's date); one day a file")
    day = date or (days.pop() if days else "")
    if not day:
        raise ConfigError(f"{source}: no date and no appointments")
    return DayPlan(day, providers, appointments, contacts, refused)


def _contact(row: dict[str, Any], appointment_id: str, where: str) -> PatientContact | None:
    """The row's contact for notifications, None when it has none of those columns."""
    cells = {column: _text(row, column, where) for column in _CONTACT_COLUMNS}
    if not any(cells.values()):
        return None
    consent = cells["consent"].lower()
    if consent not in _YES | _NO:
        raise ConfigError(f"{where}: column consent: expected yes or no")
    channel = cells["channel"].lower() or ("sms" if cells["phone"] else "email" if cells["email"] else "none")
    contact = PatientContact(
        appointment_id,
        phone=cells["phone"].replace(" ", "").replace("-", ""),
        email=cells["email"],
        consent=consent in _YES,
        channel=channel,
        language=cells["language"].lower() or "en",
    )
    try:
        check_contact(contact)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return contact


def _check_providers(providers: dict[str, Any], source: str) -> None:
    for provider_id, name in providers.items():
        _check_cell(m.check_id, f"{source}: providers", provider_id, "provider id")
        if not isinstance(name, str) or not 0 < len(name) <= 80:
            raise ConfigError(f"{source}: providers: a name is not text of 1..80 characters")


def _provider_name(row: dict[str, Any], where: str, appt: HubAppointment) -> str:
    name = row.get("provider_name")
    if name is None or name == "":
        return appt.provider_id
    if not isinstance(name, str) or len(name.strip()) > 80:
        raise ConfigError(f"{where}: column provider_name: expected text of at most 80 characters")
    return name.strip() or appt.provider_id


def _appointment(row: Any, where: str) -> HubAppointment:
    if not isinstance(row, dict):
        raise ConfigError(f"{where}: expected an object with the columns {', '.join(_COLUMNS)}")
    cells = {column: _text(row, column, where) for column in _COLUMNS}
    missing = [c for c, v in cells.items() if v == ""]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    for column, check in _CELL_CHECKS.items():
        _check_cell(check, f"{where}: column {column}", cells[column])
    for column, most in _MAX_LEN.items():
        if len(cells[column]) > most:
            raise ConfigError(f"{where}: column {column}: longer than {most} characters")
    appt = HubAppointment(
        id=cells["id"],
        provider_id=cells["provider_id"],
        start=cells["start"][:16],
        duration_min=_minutes(cells["duration_min"], where),
        first_name=cells["first_name"],
        last_name=cells["last_name"],
        dob=cells["dob"],
        code=cells["code"].upper(),
    )
    # The wire's own checks, the last net: what the hub stores it must be able to send.
    _check_cell(appt.to_wire().check, f"{where}: an appointment the protocol cannot carry")
    return appt


def _text(row: dict[str, Any], column: str, where: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ConfigError(f"{where}: column {column}: expected text, got {type(value).__name__}")
    text = str(value).strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(f"{where}: column {column}: not valid Unicode text") from None
    return text


def _minutes(text: str, where: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 3 or not 0 < int(text) <= 480:
        raise ConfigError(f"{where}: column duration_min: expected whole minutes 1..480")
    return int(text)


def _check_cell(check: Callable[..., None], where: str, *args: Any) -> None:
    try:
        check(*args)
    except WireError as exc:
        # exc.detail names the field and what it must be, never its value.
        raise ConfigError(f"{where}: {exc.detail}") from None


def write_csv(plan: DayPlan, path: str | Path) -> None:
    contacts = {c.appointment_id: c for c in plan.contacts}
    extra = list(_CONTACT_COLUMNS) if contacts else []
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([*_COLUMNS[:2], "provider_name", *_COLUMNS[2:], *extra])
        for a in plan.appointments:
            writer.writerow(
                [
                    a.id,
                    a.provider_id,
                    plan.providers[a.provider_id],
                    a.start,
                    a.duration_min,
                    a.first_name,
                    a.last_name,
                    a.dob,
                    a.code,
                    *(_contact_cells(contacts.get(a.id)) if extra else []),
                ]
            )


def _contact_cells(contact: PatientContact | None) -> list[str]:
    if contact is None:
        return [""] * len(_CONTACT_COLUMNS)
    consent = "yes" if contact.consent else "no"
    return [contact.phone, contact.email, consent, contact.channel, contact.language]
