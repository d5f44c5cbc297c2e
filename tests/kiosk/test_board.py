"""The provider board as text (the headless kiosk's screen): which status counts, and
what an offline kiosk says about its day."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.board import board_rows, render_board
from sync.cache import Provider
from sync.messages import ProviderStatus

TODAY = "2026-12-01"
PROVIDERS = [Provider("martinez", "Dr. Ana Martinez", TODAY, 1), Provider("chen", "Dr. Wei Chen", TODAY, 1)]
OUT = ProviderStatus("martinez", 2, "out", reason="sick", date=TODAY)


def test_a_status_counts_only_for_its_own_date() -> None:
    yesterday = ProviderStatus("martinez", 1, "out", reason="sick", date="2026-11-30")
    assert board_rows(PROVIDERS, {"martinez": yesterday})[0].state == "on_time"
    assert board_rows(PROVIDERS, {"martinez": OUT})[0].state == "out"
    late = ProviderStatus("martinez", 3, "late", delay_min=20)
    assert board_rows(PROVIDERS, {"martinez": late})[0].delay_min == 20


def test_a_live_board_says_nothing_about_freshness() -> None:
    text = render_board(PROVIDERS, {"martinez": OUT}, 0.0, datetime(2026, 12, 1, 8, 0))
    assert text.splitlines() == [
        "PROVIDERS TODAY",
        "  Dr. Ana Martinez  out today (sick)",
        "  Dr. Wei Chen      on time",
    ]


@pytest.mark.parametrize(
    ("age_s", "expected"),
    [
        (30.0, "(offline: the practice hub was last reached at 08:00, 0 min ago)"),
        (1500.0, "(offline: the practice hub was last reached at 07:35, 25 min ago)"),
        (-1.0, "(offline: not yet in step with the practice hub)"),
    ],
)
def test_an_offline_board_says_so_and_since_when(age_s: float, expected: str) -> None:
    text = render_board(PROVIDERS, {"martinez": OUT}, age_s, datetime(2026, 12, 1, 8, 0, 30))
    assert text.splitlines()[-1] == f"  {expected}"
    assert "Dr. Ana Martinez  out today (sick)" in text  # the cached day is still shown


def test_no_schedule_yet() -> None:
    assert render_board([], {}, -1.0).splitlines()[-1] == "  (no schedule received yet)"
