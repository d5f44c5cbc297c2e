"""Spoken numbers, both ways, as pure functions over word tokens.

English and Spanish cardinals and the ordinals people use for days of the month.
Nothing here knows about audio: ``read_number`` is what the date parser and the
grammar builder share, ``say_number`` is what the phrase renderer uses.
"""

from __future__ import annotations

import unicodedata

EN_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
EN_ORDINALS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
EN_TENS_ORDINALS = ["twentieth", "thirtieth"]

_EN_CARD = {w: i for i, w in enumerate(EN_ONES)} | {w: 20 + 10 * i for i, w in enumerate(EN_TENS)}
_EN_CARD["oh"] = 0
_EN_ORD = {w: i for i, w in enumerate(EN_ORDINALS) if i} | {"twentieth": 20, "thirtieth": 30}

ES_VALUES: dict[str, int] = {
    "cero": 0, "un": 1, "uno": 1, "una": 1, "primero": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13,
    "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19,
    "veinte": 20, "veintiuno": 21, "veintiun": 21, "veintidos": 22, "veintitres": 23, "veinticuatro": 24,
    "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28, "veintinueve": 29,
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
    "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300,
    "cuatrocientos": 400, "quinientos": 500, "seiscientos": 600, "setecientos": 700, "ochocientos": 800,
    "novecientos": 900,
}  # fmt: skip


def normalize(text: str) -> list[str]:
    """Lower-case word tokens without accents or punctuation ("Dieciséis," -> ["dieciseis"])."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = unicodedata.normalize("NFC", "".join(c for c in folded if not unicodedata.combining(c)))
    cleaned = "".join(c if c.isalnum() or c in "'" else " " for c in plain)
    return [t.strip("'") for t in cleaned.split() if t.strip("'")]


def read_number(tokens: list[str], i: int, *, ordinal_ok: bool = True) -> tuple[int, int, bool] | None:
    """Read an English number below 100 at ``tokens[i]``.

    Returns ``(value, next_index, was_ordinal)`` or ``None``. "twenty one" -> 21,
    "twenty first" -> 21 (ordinal), "fourth" -> 4 (ordinal), digits "4" -> 4, "9th" -> 9
    (ordinal: how Whisper writes them).
    """
    if i >= len(tokens):
        return None
    tok = tokens[i]
    if tok.isdigit() and len(tok) <= 2:
        return int(tok), i + 1, False
    if ordinal_ok and 3 <= len(tok) <= 4 and tok[:-2].isdigit() and tok[-2:] in ("st", "nd", "rd", "th"):
        return int(tok[:-2]), i + 1, True
    if ordinal_ok and tok in _EN_ORD:
        return _EN_ORD[tok], i + 1, True
    if tok not in _EN_CARD or tok == "oh":
        return None
    value = _EN_CARD[tok]
    if value >= 20 and i + 1 < len(tokens):
        nxt = tokens[i + 1]
        if nxt in _EN_CARD and 1 <= _EN_CARD[nxt] <= 9 and nxt != "oh":
            return value + _EN_CARD[nxt], i + 2, False
        if ordinal_ok and nxt in _EN_ORD and 1 <= _EN_ORD[nxt] <= 9:
            return value + _EN_ORD[nxt], i + 2, True
    return value, i + 1, False


def read_spanish_number(tokens: list[str]) -> int | None:
    """Read a whole Spanish number ("mil novecientos ochenta y dos" -> 1982); ``None`` if not one."""
    total = 0
    current = 0
    seen = False
    for tok in tokens:
        if tok == "y":
            continue
        if tok == "mil":
            total += (current or 1) * 1000
            current = 0
            seen = True
        elif tok in ES_VALUES:
            current += ES_VALUES[tok]
            seen = True
        elif tok.isdigit():
            current += int(tok)
            seen = True
        else:
            return None
    return total + current if seen else None


def say_number(n: int, lang: str = "en") -> str:
    """Words for 0 <= n < 100 ("en": "forty two"; "es": "cuarenta y dos")."""
    if not 0 <= n < 100:
        raise ValueError(f"say_number: {n} is out of range 0..99")
    if lang == "es":
        exact = {v: k for k, v in ES_VALUES.items() if k not in ("un", "una", "primero", "veintiun", "cien")}
        if n in exact:
            return exact[n]
        return f"{exact[n - n % 10]} y {exact[n % 10]}"
    if n < 20:
        return EN_ONES[n]
    tens, ones = divmod(n, 10)
    return EN_TENS[tens - 2] + (f" {EN_ONES[ones]}" if ones else "")


def say_ordinal(n: int) -> str:
    """English ordinal words for 1 <= n <= 31 ("twenty first")."""
    if not 1 <= n <= 31:
        raise ValueError(f"say_ordinal: {n} is out of range 1..31")
    if n < 20:
        return EN_ORDINALS[n]
    tens, ones = divmod(n, 10)
    if not ones:
        return EN_TENS_ORDINALS[tens - 2]
    return f"{EN_TENS[tens - 2]} {EN_ORDINALS[ones]}"
