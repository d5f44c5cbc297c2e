"""The day's schedule as the grammars need it, from a CSV file or from lists (the CLI's
``--schedule`` / ``--names`` / ``--dobs``). Pure apart from reading the file.

The CSV is the hub's schedule format (``hub.schedule_io``: columns id, provider_id, start,
duration_min, first_name, last_name, dob, code, ...); only first_name, dob and start are
read here, and only the rows of ``today`` (when start carries a date). Never logged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from core.errors import SpeechError

_NEEDED = ("first_name", "dob")


def day_vocabulary(
    schedule: str | Path | None, names: Iterable[str], dobs: Iterable[str], today: date
) -> tuple[list[str], tuple[date, ...]]:
    """First names and birth dates on ``today``'s schedule (file rows plus the given lists)."""
    first = {n for n in names if n}
    booked = {_date(d, "--dobs") for d in dobs if d}
    if schedule is not None:
        rows_names, rows_dobs = _read_schedule(Path(schedule), today)
        first |= rows_names
        booked |= rows_dobs
    return sorted(first), tuple(sorted(booked))


def _read_schedule(path: Path, today: date) -> tuple[set[str], set[date]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpeechError(f"{path}: cannot read the schedule ({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _NEEDED if c not in (reader.fieldnames or ())]
    if missing:
        raise SpeechError(f"{path}: the schedule CSV has no column {', '.join(missing)}")
    names: set[str] = set()
    dobs: set[date] = set()
    for number, row in enumerate(reader, 2):
        start = (row.get("start") or "").strip()
        if start[:10] and start[:4].isdigit() and start[:10] != today.isoformat():
            continue
        first = (row.get("first_name") or "").strip().split()
        if first:
            names.add(first[0])
        dobs.add(_date((row.get("dob") or "").strip(), f"{path}:{number} dob"))
    return names, dobs


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SpeechError(f"{where}: {text!r} is not a YYYY-MM-DD date") from None
