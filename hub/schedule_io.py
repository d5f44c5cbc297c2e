"""Read a day's schedule from the practice's export: CSV or JSON.

CSV columns: id, provider_id, provider_name, start (YYYY-MM-DDTHH:MM), duration_min,
first_name, last_name, dob (YYYY-MM-DD), code. JSON: ``{"date": ..., "providers":
{"id": "name"}, "appointments": [{same keys but provider_name}]}``. Errors name the
row and the column, never the patient.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from core.errors import ConfigError, WireError
from hub.store import DayPlan, HubAppointment

_COLUMNS = ("id", "provider_id", "start", "duration_min", "first_name", "last_name", "dob", "code")


def load_plan(path: str | Path) -> DayPlan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read schedule: {exc.strerror}") from exc
    if path.suffix.lower() == ".json":
        return plan_from_json(json.loads(text), str(path))
    return plan_from_rows(list(csv.DictReader(text.splitlines())), {}, str(path))


def plan_from_json(data: dict[str, Any], source: str = "<json>") -> DayPlan:
    if not isinstance(data, dict) or not isinstance(data.get("appointments"), list):
        raise ConfigError(f"{source}: expected an object with an 'appointments' list")
    providers = data.get("providers") or {}
    return plan_from_rows(data["appointments"], dict(providers), source, data.get("date", ""))


def plan_from_rows(
    rows: list[dict[str, Any]], providers: dict[str, str], source: str, date: str = ""
) -> DayPlan:
    appointments: list[HubAppointment] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        missing = [c for c in _COLUMNS if str(row.get(c, "")).strip() == ""]
        if missing:
            raise ConfigError(f"{source}: row {number}: missing {', '.join(missing)}")
        try:
            appt = HubAppointment(
                id=str(row["id"]).strip(),
                provider_id=str(row["provider_id"]).strip(),
                start=str(row["start"]).strip()[:16],
                duration_min=int(row["duration_min"]),
                first_name=str(row["first_name"]).strip(),
                last_name=str(row["last_name"]).strip(),
                dob=str(row["dob"]).strip(),
                code=str(row["code"]).strip().upper(),
            )
            appt.to_wire().check()
        except (ValueError, WireError) as exc:
            raise ConfigError(f"{source}: row {number}: {exc}") from None
        if appt.id in seen:
            raise ConfigError(f"{source}: row {number}: appointment id {appt.id} appears twice")
        seen.add(appt.id)
        providers.setdefault(appt.provider_id, str(row.get("provider_name") or appt.provider_id))
        appointments.append(appt)
    days = {a.start[:10] for a in appointments}
    if len(days) > 1:
        raise ConfigError(
            f"{source}: appointments span several days ({', '.join(sorted(days))}); one day a file"
        )
    day = date or (days.pop() if days else "")
    if not day:
        raise ConfigError(f"{source}: no date and no appointments")
    return DayPlan(day, providers, appointments)


def write_csv(plan: DayPlan, path: str | Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([*_COLUMNS[:2], "provider_name", *_COLUMNS[2:]])
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
                ]
            )
