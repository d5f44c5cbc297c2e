from __future__ import annotations

from domain.lookup import dob_candidates, find_by_code, find_by_dob
from sync.messages import Appointment


class Day:
    def __init__(self, appts: list[Appointment]) -> None:
        self.appts = appts

    def appointments_by_dob(self, dobs: list[str]) -> list[Appointment]:
        return [a for a in self.appts if a.dob in dobs]

    def appointment_by_code(self, code: str) -> Appointment | None:
        return next((a for a in self.appts if a.code == code), None)


def _a(i: str, dob: str, prefix: str, code: str) -> Appointment:
    return Appointment(i, "chen", "2026-11-30T09:00", 15, "Sam", prefix, dob, code)


DAY = Day(
    [
        _a("1", "1982-03-04", "GAR", "K7QX2M"),
        _a("2", "1982-03-04", "SMI", "P3RT9A"),
        _a("3", "1982-03-14", "LEE", "AB0CDE"),
    ]
)


def test_candidates_include_one_adjacent_swap_and_skip_impossible_dates() -> None:
    assert dob_candidates("03041982")[0] == "1982-03-04"
    assert "1982-03-40" not in dob_candidates("03041982")
    assert "1982-04-03" not in dob_candidates("03041982")  # not adjacent: not a typo we guess
    assert dob_candidates("0304198") == []


def test_ambiguous_dob_is_narrowed_by_letters_with_a_typo_tolerated() -> None:
    assert {a.id for a in find_by_dob(DAY, "03041982").appointments} == {"1", "2"}
    assert [a.id for a in find_by_dob(DAY, "03041982", "ga").appointments] == ["1"]
    typo = find_by_dob(DAY, "03041982", "GSR")
    assert [a.id for a in typo.appointments] == ["1"] and not typo.exact


def test_a_transposed_digit_still_finds_the_patient() -> None:
    match = find_by_dob(DAY, "30041982")  # 3 and 0 swapped in the month
    assert {a.id for a in match.appointments} == {"1", "2"} and not match.exact


def test_codes_ignore_case_spaces_and_o_zero_confusion() -> None:
    assert find_by_code(DAY, " k7qx 2m ").appointments[0].id == "1"
    assert find_by_code(DAY, "ABOCDE").appointments[0].id == "3"
    assert find_by_code(DAY, "ZZZZZZ").appointments == []
