"""Today's schedule as the voice dialog's grammars need it (never spoken): first names and
birth dates, read from the kiosk cache on the cache's thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from domain.lookup import dob_candidates


@dataclass(frozen=True)
class Vocabulary:
    """Today's schedule as the grammars need it (never spoken): first names, birth dates."""

    first_names: tuple[str, ...] = ()
    dobs: tuple[date, ...] = ()
    names_by_dob: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(ISO birth date, first names booked with it): the first-name step listens only for
    the patients sharing the birth date just given (a closed set of two or three)."""

    def names_for(self, digits: str) -> tuple[str, ...]:
        """First names booked with the birth date typed/spoken as ``digits`` (MMDDYYYY): as
        given, else its one-swap variants (as the flow looks them up), else every name."""
        by = dict(self.names_by_dob)
        candidates = dob_candidates(digits)
        for pool in (candidates[:1], candidates):
            names = sorted({n for iso in pool for n in by.get(iso, ())})
            if names:
                return tuple(names)
        return self.first_names


class ScheduleSource(Protocol):
    """What ``schedule_vocabulary`` reads (``sync.cache.KioskCache`` satisfies it)."""

    def providers(self) -> Iterable[object]: ...
    def appointments_for(self, provider_id: str) -> Iterable[object]: ...


def schedule_vocabulary(source: ScheduleSource, today: date) -> Vocabulary:
    """Today's first names and birth dates from the cache (run it on the cache's thread)."""
    names: set[str] = set()
    dobs: set[date] = set()
    by_dob: dict[str, set[str]] = {}
    for provider in source.providers():
        for appt in source.appointments_for(str(getattr(provider, "id", ""))):
            if str(getattr(appt, "start", ""))[:10] != today.isoformat():
                continue
            if getattr(appt, "state", "") == "cancelled":
                continue
            first = str(getattr(appt, "first_name", "")).strip()
            names.add(first)
            try:
                born = date.fromisoformat(str(getattr(appt, "dob", "")))
            except ValueError:
                continue
            dobs.add(born)
            if first:
                by_dob.setdefault(born.isoformat(), set()).add(first)
    grouped = tuple((iso, tuple(sorted(n))) for iso, n in sorted(by_dob.items()))
    return Vocabulary(tuple(sorted(n for n in names if n)), tuple(sorted(dobs)), grouped)


__all__ = ["ScheduleSource", "Vocabulary", "schedule_vocabulary"]
