"""Exact time in holds and windows (property): for any merge window and any correction
committed inside it, each patient gets one message, with the latest status.

Driven the way the notify worker drives it (each tick reads ``now``, plans what was
committed, then claims what is due at ``now``) on a real hub database. Status stamps
carry whole seconds, as on the wire; the change's fraction of a second is random, so a
hold counted from the stamp (up to a second short) is found."""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.settings import HubNotifySettings
from hub.day_plan import DayPlan
from hub.notify.planner import Planner, stamp
from hub.store import HubStore
from sync import messages as m
from tests.hub.notify.rig import future_morning, morning_ahead, open_day
from tests.support.clock import wall_now

_STATUSES = [("late", 30), ("late", 45), ("out", 0)]
_CORRECTIONS = [("late", 20), ("late", 60), ("out", 0), ("on_time", 0), ("late", 25)]


def _commit(store: HubStore, state: str, delay: int, at: datetime) -> None:
    status = m.ProviderStatus(
        "martinez",
        store.next_status_version("martinez"),
        state,  # type: ignore[arg-type]
        delay_min=delay,
        reason="sick" if state == "out" else "",
        changed_by="front-desk-1",
        changed_at=at.replace(microsecond=0).isoformat(),  # the wire's whole seconds
        date=store.day(),
    )
    with store.transaction():
        store.set_status(status, uuid.uuid4().hex)


class _Worker:
    """The notify worker's order of work, one tick at a time, at a given ``now``."""

    def __init__(self, store: HubStore, window_s: float) -> None:
        self.store = store
        cfg = HubNotifySettings(enabled=True, merge_window_s=window_s)
        self.planner = Planner(cfg, "Riverside", {"sms": "smpp"})
        self.planner.open(store)
        self.sent: list[tuple[str, str, int]] = []  # (appointment, kind, delay)

    def tick(self, now: datetime) -> None:
        self.planner.plan(self.store, now)
        with self.store.transaction():
            for row in self.store.notify.due("smpp", stamp(now), 1000):
                self.store.notify.update(row.key, state="sent", sent_at=stamp(now))
                self.sent.append((row.appointment_id, row.kind, row.delay_min))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    window_us=st.integers(min_value=50_000, max_value=600_000_000),
    inside=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    fraction_us=st.integers(min_value=0, max_value=999_999),
    first=st.sampled_from(_STATUSES),
    correction=st.sampled_from(_CORRECTIONS),
)
def test_a_correction_inside_the_window_sends_one_message_with_the_latest_status(
    window_us: int,
    inside: float,
    fraction_us: int,
    first: tuple[str, int],
    correction: tuple[str, int],
) -> None:
    correction_us = min(window_us - 1, int(window_us * inside))
    plan = future_morning(2, start=morning_ahead(40))
    plan = replace(plan, contacts=[replace(c, channel="sms") for c in plan.contacts])
    with tempfile.TemporaryDirectory() as tmp:
        store = open_day(Path(tmp) / "hub.sqlite", plan)
        try:
            worker = _Worker(store, window_us / 1e6)
            t0 = wall_now().replace(microsecond=fraction_us)
            _commit(store, *first, t0)
            worker.tick(t0)
            t1 = t0 + timedelta(microseconds=correction_us)
            worker.tick(t1 - timedelta(microseconds=1))  # the last tick before the correction
            _commit(store, *correction, t1)
            worker.tick(t1)
            for step in (0.5, 1.0, 2.0):  # well past every hold
                worker.tick(t1 + timedelta(microseconds=window_us) * step + timedelta(seconds=1))
            ids = {a.id for a in plan.appointments if a.provider_id == "martinez"}
            told = {appt for appt, _, _ in worker.sent}
            assert len(worker.sent) == len(told)  # one message each at most
            if correction[0] == "on_time":
                assert worker.sent == []  # the latest status tells them nothing: nothing went
            else:
                assert told == ids - _begun(plan, t1)
                kind = "late" if correction[0] == "late" else "out"
                assert {(k, d) for _, k, d in worker.sent} <= {(kind, correction[1]), (kind, 0)}
                assert all(k == kind for _, k, _ in worker.sent)
        finally:
            store.close()


def _begun(plan: DayPlan, at: datetime) -> set[str]:
    return {a.id for a in plan.appointments if datetime.fromisoformat(a.start) <= at}
