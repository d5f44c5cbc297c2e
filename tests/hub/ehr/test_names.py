"""Names, identifiers, birth dates and resources as senders send them (pure: the mapping)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from hub.ehr import hl7v2, siu

CHICAGO = ZoneInfo("America/Chicago")
RULES = siu.Rules(CHICAGO, 15)


def _event(
    pid: str, res: str = "AIP|1||D1\r", more: str = "TQ1|1||||||202611300930\r"
) -> siu.Event | siu.Refusal:
    text = f"MSH|^~\\&|E|C|K|P|20261130080000||SIU^S12|C1|P|2.5\rSCH|P1|F1\r{more}{pid}{res}"
    message = hl7v2.read(text.encode())
    head = siu.header(message, CHICAGO)
    assert isinstance(head, siu.Header)
    return siu.event(message, head, RULES)


def _booking(pid: str, **kw: str) -> siu.Booking:
    ev = _event(pid, **kw)
    assert isinstance(ev, siu.Event), ev
    return ev.booking


@pytest.mark.parametrize(
    ("pid5", "given", "family"),
    [
        # the vendor's case: the legal name without a given name, a display name complete
        ("Doe^^^^^^L~Doe^Jane^^^^^D", "Jane", "Doe"),
        ("Doe^^^^^^L~^Jane^^^^^D~Roe^Ann^^^^^A", "Ann", "Roe"),  # the first complete one
        ("Alias^Al^^^^^A~Legal^Lee^^^^^L", "Lee", "Legal"),  # legal preferred when complete
        ("First^Fay~Legal^Lee^^^^^L", "Lee", "Legal"),
        ("First^Fay~Second^Sid", "Fay", "First"),  # no type: the first complete
        ("~Late^Lou^^^^^L", "Lou", "Late"),  # an empty first repetition
        ("Smith&&Smith^John^Q^Jr^Mr^^L", "John", "Smith"),  # subcomponents, suffix, prefix
    ],
)
def test_the_first_complete_pid5_repetition_legal_preferred(pid5: str, given: str, family: str) -> None:
    b = _booking(f"PID|1||M1||{pid5}||19800101\r")
    assert (b.first_name, b.last_name) == (given, family)


@pytest.mark.parametrize(
    ("pid5", "reason"),
    [("Doe^^^^^^L~^Jane^^^^^D", "PID-5 given name is empty"), ("^Jane^^^^^L", "PID-5 family name is empty")],
)
def test_no_complete_name_is_refused_with_the_field_named(pid5: str, reason: str) -> None:
    ev = _event(f"PID|1||M1||{pid5}||19800101\r")
    assert isinstance(ev, siu.Refusal) and ev.code == "AE"
    assert ev.reason.startswith(reason[:12]) and "Jane" not in ev.reason


@pytest.mark.parametrize(
    ("pid3", "mrn"),
    [
        ("999^^^S^SS~X3^^^C^MR", "X3"),
        ("^^^C^MR~X4^^^C^PI", "X4"),  # the MR repetition is empty: the first non-empty
        ("~X5", "X5"),
        ("A1^^^C^PI~M1^^^C^MR~M2^^^C^MR", "M1"),
        ("", ""),
    ],
)
def test_the_mrn_is_the_first_non_empty_mr_identifier(pid3: str, mrn: str) -> None:
    assert _booking(f"PID|1||{pid3}||Fam^Giv||19800101\r").mrn == mrn


@pytest.mark.parametrize(
    ("pid7", "dob"),
    [
        ("19800101", "1980-01-01"),
        ("198001010000", "1980-01-01"),
        ("19800101235959-0500", "1980-01-01"),  # a time and an offset never move the day
        ("19800101000000+1400", "1980-01-01"),
        ("19800101^D", "1980-01-01"),  # v2.3 TS with its precision component
    ],
)
def test_birth_dates_with_or_without_time_and_offset(pid7: str, dob: str) -> None:
    assert _booking(f"PID|1||M1||Fam^Giv||{pid7}\r").dob == dob


@pytest.mark.parametrize("pid7", ["1980", "19800230", "abc"])
def test_a_birth_date_without_a_real_day_is_refused(pid7: str) -> None:
    ev = _event(f"PID|1||M1||Fam^Giv||{pid7}\r")
    assert isinstance(ev, siu.Refusal) and ev.reason.startswith("PID-7")


def test_resource_repetitions_are_all_read_an_empty_one_skipped() -> None:
    b = _booking("PID|1||M1||Fam^Giv||19800101\r", res="AIP|1||~N9^Nurse~D2^Okafor^Ngozi\rAIG|1||D3\r")
    assert [p.ehr_id for p in b.providers] == ["N9", "D2", "D3"]


def test_a_garbled_start_gives_way_to_the_next_field_that_states_it() -> None:
    b = _booking(
        "PID|1||M1||Fam^Giv||19800101\r", more="TQ1|1||||||TOMORROW\r", res="AIP|1||D1|||202611301000\r"
    )
    assert b.start == "2026-11-30T10:00"
    ev = _event("PID|1||M1||Fam^Giv||19800101\r", more="TQ1|1||||||TOMORROW\r")
    assert isinstance(ev, siu.Refusal) and ev.reason == "TQ1-7 is not a date and time"
