"""Spoken dates of birth -> ``datetime.date``: a pure function of the words and today.

English forms: "march fourth nineteen eighty two", "the fourth of march eighty two",
"three four nineteen eighty two" (month day year), "march 4 1982", years as
"two thousand and five", "twenty oh five", "nineteen hundred". Spanish: "cuatro de
marzo de mil novecientos ochenta y dos". Two-digit years pick the century that puts the
birth date in the past. Anything else (or an impossible date) gives ``None`` so the
dialog re-prompts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from speech.numbers import normalize, read_number, read_spanish_number, say_number, say_ordinal

EN_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
ES_MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
_EN_FILLER = frozenset(
    [
        "my",
        "date",
        "of",
        "birth",
        "birthday",
        "birthday's",
        "is",
        "was",
        "i'm",
        "im",
        "i",
        "am",
        "born",
        "on",
        "it's",
        "its",
        "it",
        "uh",
        "um",
        "the",
    ]
)
_ES_FILLER = frozenset(
    ["mi", "fecha", "de", "nacimiento", "es", "naci", "el", "nacido", "nacida", "cumpleanos"]
)
_MAX_AGE_YEARS = 120


def parse_spoken_date(text: str, today: date, lang: str = "en") -> date | None:
    """The date of birth in ``text``, or ``None`` when it is not one (or not a plausible one)."""
    tokens = normalize(text)
    found = _parse_es(tokens, today) if lang == "es" else _parse_en(tokens, today)
    if found is None or found > today or found.year < today.year - _MAX_AGE_YEARS:
        return None
    return found


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parse_en(tokens: list[str], today: date) -> date | None:
    month_at = next((i for i, t in enumerate(tokens) if t in EN_MONTHS), None)
    if month_at is None:
        return _parse_en_numeric([t for t in tokens if t not in _EN_FILLER], today)
    month = EN_MONTHS.index(tokens[month_at]) + 1
    before = [t for t in tokens[:month_at] if t not in _EN_FILLER]
    after = tokens[month_at + 1 :]
    if before:  # "the fourth of march eighty two"
        day = read_number(before, 0)
        if day is None or day[1] != len(before):
            return None
        year = _read_year([t for t in after if t not in ("of",)], today)
        return None if year is None else _make(year, month, day[0])
    after = _unglue([t for t in after if t not in ("the", "of")], today)
    day = read_number(after, 0)
    if day is None:
        return None
    year = _read_year(after[day[1] :], today)
    return None if year is None else _make(year, month, day[0])


def _unglue(tokens: list[str], today: date) -> list[str]:
    """A day and a two-digit year written as one number ("June 547", "April 2862": how Whisper
    writes "june five forty seven"): split when it cannot be a year itself."""
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) in (3, 4):
        whole = int(tokens[0])
        if not today.year - _MAX_AGE_YEARS <= whole <= today.year:
            return [tokens[0][:-2], tokens[0][-2:]]
    return tokens


def _parse_en_numeric(tokens: list[str], today: date) -> date | None:
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) in (6, 8):  # "03041982"
        digits = tokens[0]
        tokens = [digits[:2], digits[2:4], digits[4:]]
    month = read_number(tokens, 0, ordinal_ok=False)
    if month is None or not 1 <= month[0] <= 12:
        return None
    day = read_number(tokens, month[1])
    if day is None:
        return None
    year = _read_year(tokens[day[1] :], today)
    return None if year is None else _make(year, month[0], day[0])


def _read_year(tokens: list[str], today: date) -> int | None:
    tokens = [t for t in tokens if t != "and"]
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) == 4:
        return int(tokens[0])
    if tokens[:2] == ["two", "thousand"]:
        rest = tokens[2:]
        if not rest:
            return 2000
        low = read_number(rest, 0, ordinal_ok=False)
        return 2000 + low[0] if low and low[1] == len(rest) else None
    high = read_number(tokens, 0, ordinal_ok=False)
    if high is None:
        return None
    if high[1] == len(tokens):
        return _two_digit_year(high[0], today) if tokens[0] != "oh" else None
    rest = tokens[high[1] :]
    if rest == ["hundred"]:
        return high[0] * 100 if high[0] >= 10 else None
    if rest[0] in ("oh", "o", "zero") and len(rest) == 2:
        low = read_number(rest, 1, ordinal_ok=False)
        return high[0] * 100 + low[0] if low and low[0] < 10 and high[0] >= 10 else None
    low = read_number(rest, 0, ordinal_ok=False)
    if low is None or low[1] != len(rest) or low[0] < 10 or high[0] < 10:
        return None
    return high[0] * 100 + low[0]


def _two_digit_year(yy: int, today: date) -> int:
    return 2000 + yy if 2000 + yy <= today.year else 1900 + yy


def _parse_es(tokens: list[str], today: date) -> date | None:
    month_at = next((i for i, t in enumerate(tokens) if t in ES_MONTHS), None)
    if month_at is None:
        return None
    day_words = [t for t in tokens[:month_at] if t not in _ES_FILLER]
    year_words = [t for t in tokens[month_at + 1 :] if t not in ("de", "del")]
    day = read_spanish_number(day_words)
    year = read_spanish_number(year_words)
    if day is None or year is None:
        return None
    if year < 100:
        year = _two_digit_year(year, today)
    return _make(year, ES_MONTHS.index(tokens[month_at]) + 1, day)


def date_patterns(lang: str, today: date) -> list[list[list[list[str]]]]:
    """Word-graph patterns for spoken birth dates (see ``speech.wordgraph``).

    Years are limited to plausible birth years up to ``today`` so the grammar cannot
    prefer "twenty ninety" over "nineteen eighty", a real confusion on synthetic voices.
    """
    years = range(today.year - _MAX_AGE_YEARS + 1, today.year + 1)
    if lang == "es":
        day_es = [["primero"], *(w.split() for w in _es_day_words())]
        months_es = [["de", m] for m in ES_MONTHS]
        year_es = [["de", *_say_es_year(y).split()] for y in years]
        return [[day_es, months_es, year_es], [[["el", *d] for d in day_es], months_es, year_es]]
    ords = [say_ordinal(n).split() for n in range(1, 32)]
    cards = [say_number(n).split() for n in range(1, 32)]
    months = [[m] for m in EN_MONTHS]
    days = ords + cards + [["the", *o] for o in ords]
    year_words = [w.split() for y in years for w in _say_en_years(y)]
    year_words += [say_number(n).split() for n in range(10, 100)]
    return [
        [months, days, year_words],
        [ords + [["the", *o] for o in ords], [["of", m] for m in EN_MONTHS], year_words],
        [[say_number(n).split() for n in range(1, 13)], ords + cards, year_words],
    ]


def dob_patterns(dobs: Iterable[date], lang: str) -> list[list[list[list[str]]]]:
    """Word-graph patterns for exactly these dates (today's patients' birth dates), in the
    same spoken forms ``date_patterns`` accepts, so the grammar can favour them."""
    out: list[list[list[list[str]]]] = []
    for dob in sorted(set(dobs)):
        if lang == "es":
            day = [["primero"]] if dob.day == 1 else []
            day += [say_number(dob.day, "es").split()]
            month = [["de", ES_MONTHS[dob.month - 1]]]
            year = [["de", *_say_es_year(dob.year).split()]]
            out += [[day, month, year], [[["el", *d] for d in day], month, year]]
            continue
        ordinal = say_ordinal(dob.day).split()
        cardinal = say_number(dob.day).split()
        years = [w.split() for w in _say_en_years(dob.year)]
        if dob.year % 100 >= 10:
            years.append(say_number(dob.year % 100).split())
        name = EN_MONTHS[dob.month - 1]
        out += [
            [[[name]], [ordinal, cardinal, ["the", *ordinal]], years],
            [[ordinal, ["the", *ordinal]], [["of", name]], years],
            [[say_number(dob.month).split()], [ordinal, cardinal], years],
        ]
    return out


def _say_en_years(year: int) -> list[str]:
    high, low = divmod(year, 100)
    if year < 2000:
        tail = "hundred" if low == 0 else f"oh {say_number(low)}" if low < 10 else say_number(low)
        return [f"{say_number(high)} {tail}"]
    forms = ["two thousand"] if low == 0 else [f"two thousand {say_number(low)}"]
    if low:
        forms.append(f"two thousand and {say_number(low)}")
        forms.append(f"twenty {say_number(low)}" if low >= 10 else f"twenty oh {say_number(low)}")
    return forms


def _es_day_words() -> list[str]:
    return [say_number(n, "es") for n in range(1, 32)]


def _say_es_year(year: int) -> str:
    high = year // 1000
    hundreds = {0: "", 9: "novecientos"}.get((year % 1000) // 100, "")
    head = "mil" if high == 1 else f"{say_number(high, 'es')} mil"
    rest = year % 100
    words = [head, hundreds, say_number(rest, "es") if rest else ""]
    return " ".join(w for w in words if w)
