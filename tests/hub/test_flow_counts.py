"""The kiosks' check-in flow counts reach the hub in their health reports and feed the
dashboard's time-to-check-in and voice charts, summed over kiosks and their restarts."""

from __future__ import annotations

from pathlib import Path

from domain.metrics import FlowMetrics
from hub.store import HubStore
from hub.web.views import chart_data, flow_charts
from sync import messages as m
from tests.support.broker import Broker
from tests.support.clock import wall_now
from tests.support.site import RecordingKiosk, start_hub, wait_for


def _health(kiosk: str, at: str, **metrics: float) -> m.KioskHealth:
    return m.KioskHealth(kiosk, at, True, 0.0, 0, metrics=metrics)


def test_counts_add_up_over_restarts_and_kiosks_and_only_for_their_day(tmp_path: Path) -> None:
    store = HubStore.open(tmp_path / "hub.sqlite")
    try:
        for boot, count in (("2026-12-01T07:00:00", 3), ("2026-12-01T12:00:00", 2)):  # restarted at noon
            store.kiosk_availability(m.KioskAvailability("lobby-1", True, "1.0", boot), boot)
            store.kiosk_health(_health("lobby-1", "2026-12-01T12:30:00", checkin_completed=count), boot)
        store.kiosk_health(_health("lobby-2", "2026-12-01T12:31:00", checkin_completed=4), "x")
        store.kiosk_health(_health("lobby-2", "2026-11-30T17:00:00", checkin_completed=9), "x")
        # a later report from the same process replaces its row; a median and junk are not counts
        store.kiosk_health(
            _health(
                "lobby-2", "2026-12-01T12:40:00",
                checkin_completed=5, checkin_seconds_p50=41.5, checkin_x=float("nan"), other=7,
            ), "x",
        )  # fmt: skip
        assert store.flow_counts("2026-12-01") == {"checkin_completed": 3 + 2 + 5}
        assert store.flow_counts("2026-11-30") == {"checkin_completed": 9}
    finally:
        store.close()


def test_chart_rows_name_their_buckets_and_say_nothing_when_there_is_nothing() -> None:
    flow = FlowMetrics()
    for took in (10, 25, 25, 90, 400):
        flow.started(0.0, "2026-12-01")
        flow.completed(float(took), "dob", "checked_in")
    counts = {k: int(v) for k, v in flow.summary().items() if not k.endswith("_p50")}
    times, voice = flow_charts(counts)
    assert times == [
        ("≤15 s", 1),
        ("≤30 s", 2),
        ("≤1 min", 0),
        ("≤2 min", 1),
        ("≤5 min", 0),
        (">5 min", 1),
        ("gave up", 0),
    ]
    assert voice == []  # nobody used voice: no chart of zeros
    assert flow_charts({}) == ([], [])


def test_a_kiosks_flow_counts_reach_the_dashboards_charts(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path)
    flow = FlowMetrics()
    day = wall_now().date().isoformat()
    flow.started(0.0, day)
    flow.heard_voice()
    flow.completed(20.0, "dob", "checked_in")  # began by voice, finished by touch
    kiosk.sync.set_health_sources(metrics=flow.summary)
    kiosk.start()
    try:
        wait_for(lambda: hub.call(lambda s: s.flow_counts(day)).get("checkin_completed") == 1, what="counts")
        charts = hub.call(lambda s: chart_data(s, wall_now()))
        assert ("≤30 s", 1) in charts.time_to_checkin
        assert charts.voice == [("voice", 1), ("to touch", 1), ("abandoned", 0)]
    finally:
        kiosk.stop()
        hub.stop()
