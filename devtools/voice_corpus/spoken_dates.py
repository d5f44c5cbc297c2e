"""Dates of birth in the many ways people say them at a front desk, as words.

Every form is written out in words (no digits), so each synthesizer reads the same
thing and ``text`` is exactly what was said. Pure: a date and a form index in, words out.
"""

from __future__ import annotations

from datetime import date

from speech.dates import EN_MONTHS
from speech.numbers import say_number, say_ordinal


def say_year(year: int, style: int = 0) -> str:
    """1982 -> "nineteen eighty two"; 2005 -> "two thousand five" / "two thousand and five" /
    "twenty oh five" (``style`` picks among the forms people use); 1907 -> "nineteen oh seven"."""
    century, rest = divmod(year, 100)
    if century == 20 and rest == 0:
        return "two thousand"
    if century == 20 and rest < 10:
        forms = [f"two thousand {say_number(rest)}", f"two thousand and {say_number(rest)}"]
        forms.append(f"twenty oh {say_number(rest)}")
        return forms[style % len(forms)]
    head = say_number(century)
    if rest == 0:
        return f"{head} hundred"
    if rest < 10:
        return f"{head} oh {say_number(rest)}"
    return f"{head} {say_number(rest)}"


def _two_digit(year: int) -> str:
    rest = year % 100
    if rest == 0:
        return "two thousand" if year == 2000 else f"{say_number(year // 100)} hundred"
    return f"oh {say_number(rest)}" if rest < 10 else say_number(rest)


def _digits(n: int) -> str:
    """Month or day as a patient reads it off a card: 3 -> "three", 12 -> "twelve"."""
    return say_number(n)


_FORMS = (
    "{month} {ordinal} {year}",
    "the {ordinal} of {month} {year}",
    "{month} the {ordinal} {year}",
    "{month} {cardinal} {year}",
    "{mnum} {cardinal} {year}",
    "{month} {ordinal} {yy}",
    "it's {month} {ordinal} {year}",
    "my birthday is {month} {ordinal} {year}",
    "i was born on {month} {ordinal} {year}",
    "uh {month} {ordinal} {year}",
    "{ordinal} of {month} {year}",
    "my date of birth is {mnum} {cardinal} {year}",
    "{month} {cardinal} {yy}",
)
FORM_COUNT = len(_FORMS)


def say_date(value: date, form: int) -> str:
    """``value`` spoken in form number ``form`` (taken modulo the number of forms)."""
    template = _FORMS[form % FORM_COUNT]
    year = say_year(value.year, form // FORM_COUNT)
    if value.day % 10 == 0 and value.day > 10 and year.startswith(("two", "twenty")):
        template = template.replace("{cardinal}", "{ordinal}")  # "may thirty two thousand" is 32
    return template.format(
        month=EN_MONTHS[value.month - 1],
        ordinal=say_ordinal(value.day),
        cardinal=_digits(value.day),
        mnum=_digits(value.month),
        year=year,
        yy=_two_digit(value.year),
    )
