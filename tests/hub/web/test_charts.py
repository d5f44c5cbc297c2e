"""The charts are SVG that says its numbers (for screen readers) and escapes every label."""

from __future__ import annotations

from hub.web.charts import all_charts, bars, histogram, timeline
from hub.web.views import ChartData


def test_bars_label_their_numbers_and_escape_text() -> None:
    svg = str(bars("Per <15> min", [("08:00", 3), ("08:15", 0), ("<b>", 1)]))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'aria-label="Per &lt;15&gt; min: 08:00 3, 08:15 0, &lt;b&gt; 1"' in svg
    assert "<b>" not in svg and svg.count("<rect") == 3


def test_an_empty_chart_says_so() -> None:
    assert "nothing yet" in str(bars("Check-ins", []))


def test_histogram_buckets_values() -> None:
    svg = str(histogram("Arrival", [-12, -7, -6, 0, 3, 14], step=5))
    assert "-15 1, -10 2, +0 2, +10 1" in svg


def test_timeline_draws_each_change_in_its_colour() -> None:
    svg = str(timeline([("Dr. A", [("09:00", "late"), ("10:00", "on_time")]), ("Dr. B", [])], 8, 12))
    assert "#8a5300" in svg  # late
    assert "Dr. A: 09:00 late, 10:00 on_time; Dr. B: no change" in svg


def test_all_charts_render_from_data() -> None:
    data = ChartData([("08:00", 2)], [-5, 3], {"touch": 2}, 1, 4, [("Dr. A", [])])
    charts = all_charts(data)
    assert set(charts) == {"per_quarter", "arrival", "methods", "timeline", "time_to_checkin", "voice"}
    assert "nothing yet" in str(charts["voice"])  # no kiosk has reported a voice session
    assert "no-show 4" in str(charts["methods"]) and "to desk 1" in str(charts["methods"])
