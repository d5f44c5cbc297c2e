"""Open hours as a technician writes them: ``"07:00-19:00"``, several spans with commas
(``"07:30-12:00, 13:00-18:30"``), a span past midnight (``"22:00-06:00"``); empty means
always open. Parsed once at load; a malformed value is a ``ConfigError`` naming the key.

Weekly hours put days before a span (``"mon-fri 07:30-18:00, sat 09:00-12:00"``): the
phone line's front desk is closed at weekends, the lobby screen's hours are daily."""

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


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WeeklySpan = tuple[frozenset[int], Span]  # weekdays (Monday 0) and the span on them


def parse_weekly_hours(text: str) -> tuple[WeeklySpan, ...]:
    """The spans of ``text``, each after a day or a range of days (``fri-mon`` wraps the
    week); a span with no days is every day; empty: none (always open). ValueError says
    what is wrong."""
    spans: list[WeeklySpan] = []
    for part in (p.strip() for p in text.split(",")):
        if not part and not text.strip():
            continue
        head, _, rest = part.partition(" ")
        days, times = (_days(head), rest) if rest.strip() else (frozenset(range(7)), part)
        spans += [(days, span) for span in parse_open_hours(times)]
    return tuple(spans)


def weekly_hours_problem(text: str) -> str | None:
    try:
        parse_weekly_hours(text)
    except ValueError as exc:
        return f"expected spans like 'mon-fri 07:30-18:00' separated by commas: {exc}"
    return None


def is_open_weekly(spans: tuple[WeeklySpan, ...], now: datetime) -> bool:
    """Open on ``now``'s weekday in one of its spans (a span past midnight counts on the
    listed days before and after midnight alike)."""
    if not spans:
        return True
    return any(now.weekday() in days and is_open((span,), now) for days, span in spans)


def _days(text: str) -> frozenset[int]:
    first, sep, last = text.strip().lower().partition("-")
    if first not in DAYS or (sep and last not in DAYS):
        raise ValueError(f"{text.strip()!r} is not a day like 'mon' or a range like 'mon-fri'")
    a, b = DAYS.index(first), DAYS.index(last if sep else first)
    return frozenset(range(a, b + 1)) if a <= b else frozenset([*range(a, 7), *range(b + 1)])


def _hhmm(text: str) -> time:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2 or len(hours) > 2:
        raise ValueError(f"{text.strip()!r} is not a time like '07:30'")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"{text.strip()!r} is not a time of day")
    return time(int(hours), int(minutes))
