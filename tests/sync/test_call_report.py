"""The phone line's call report (sync/call_report.py): one detail format, read back exactly,
and anything else refused with a reason."""

from __future__ import annotations

import pytest

from sync.call_report import OUTCOMES, BadCallReport, parse_detail, report


def test_a_report_reads_back_in_the_cards_order() -> None:
    made = report({"callback_left", "status_heard"}, 73.4)
    assert made.detail() == "outcomes=status_heard,callback_left seconds=73"
    assert parse_detail(made.detail()) == made


def test_every_outcome_round_trips_and_seconds_are_bounded() -> None:
    made = report(set(OUTCOMES), 10**9)
    assert parse_detail(made.detail()) == made and made.seconds == 86_400
    assert report(set(), -5).seconds == 0


@pytest.mark.parametrize(
    ("detail", "why"),
    [
        ("", "not 'outcomes"),
        ("outcomes=status_heard seconds=", "not 'outcomes"),
        ("outcomes=status_heard seconds=12 caller=+15551234567", "not 'outcomes"),
        ("outcomes=dialled_911 seconds=3", "unknown outcome kind"),
        ("outcomes=status_heard,status_heard seconds=3", "twice"),
        ("outcomes=status_heard seconds=999999", "seconds past"),
        ("outcomes=Status_Heard seconds=3", "not 'outcomes"),
    ],
)
def test_anything_else_is_refused_with_a_reason(detail: str, why: str) -> None:
    with pytest.raises(BadCallReport, match=why):
        parse_detail(detail)
