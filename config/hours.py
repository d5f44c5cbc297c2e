"""Open hours as a technician writes them: ``"07:00-19:00"``, several spans with commas
(``"07:30-12:00, 13:00-18:30"``), a span past midnight (``"22:00-06:00"``); empty means
always open. Parsed once at load; a malformed value is a ``ConfigError`` naming the key."""

from __future__ import annotations

from datetime import datetime, time

Span = tuple[time, time]


def parse_open_hours(text: str) -> tuple[Span, ...]:
    """The spans of ``text`` (empty: none, i.e. always open); ValueError says what is wrong."""
    spans = []
    for part in (p.strip() for p in text.split(",")):
        if not part and not text.strip():
            continue
        start, sep, end = part.partition("-")
        if not sep:
            raise ValueError(f"{part!r} is not a span like '07:00-19:00'")
        begin, until = _hhmm(start), _hhmm(end)
        if begin == until:
            raise ValueError(f"{part!r} starts and ends at the same time")
        spans.append((begin, until))
    return tuple(spans)


def open_hours_problem(text: str) -> str | None:
    try:
        parse_open_hours(text)
    except ValueError as exc:
        return f"expected spans like '07:00-19:00' separated by commas: {exc}"
    return None


def is_open(spans: tuple[Span, ...], now: datetime) -> bool:
    if not spans:
        return True
    at = now.time()
    for begin, until in spans:
        if begin < until and begin <= at < until:
            return True
        if begin > until and (at >= begin or at < until):  # past midnight
            return True
    return False


def _hhmm(text: str) -> time:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2 or len(hours) > 2:
        raise ValueError(f"{text.strip()!r} is not a time like '07:30'")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"{text.strip()!r} is not a time of day")
    return time(int(hours), int(minutes))
