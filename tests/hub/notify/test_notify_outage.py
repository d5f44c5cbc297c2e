"""A channel's health is not a message's fate: an SMSC that is down before, during or
across a burst loses nothing and doubles nothing. Messages wait without spending
attempts, go once when the SMSC is back, and staff hear of a long outage once (not once
per patient); a visit that begins while its message waits is ``expired``."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from config.settings import BrokerSettings, Settings
from core.clock import ManualClock
from devtools.local_broker import Broker
from devtools.smsc_sim import SmscSim
from hub.health_view import health_rows, render_health
from hub.notify.cli import notification_view, render_notifications
from hub.notify.hub_link import escalator
from hub.notify.notifier import Notifier
from hub.store import HubStore
from sync import staff_messages as sm
from tests.hub.notify.conftest import with_notify
from tests.hub.notify.rig import (
    affected,
    all_final,
    future_morning,
    morning_ahead,
    open_day,
    set_status,
    settle,
)
from tests.support.clock import wall_now
from tests.support.mail import SmtpSink
from tests.support.procs import Proc
from tests.support.site import site_settings, start_hub

_DEFAULTS = {"merge_window_s": 2.0, "retry_min_s": 0.5, "retry_max_s": 60.0, "in_doubt_s": 30.0}


def _settings(tmp_path: Path, smsc: SmscSim, **overrides: object) -> Settings:
    """The documented defaults (no fast test back-off), but for ``overrides``."""
    return with_notify(
        site_settings(BrokerSettings(port=1), tmp_path), smsc, None, **{**_DEFAULTS, **overrides}
    )


@pytest.mark.parametrize(
    ("outage_s", "overrides"),
    [
        (1.0, {}),
        (11.0, {}),  # past the reconnect back-off's 10 s cap
        (3.0, {"max_attempts": 1}),  # one try each: a down SMSC must not spend it
    ],
)
def test_an_outage_of_any_length_loses_and_doubles_nothing(
    tmp_path: Path, smsc: SmscSim, outage_s: float, overrides: dict[str, object]
) -> None:
    plan = future_morning(6)
    db = tmp_path / "hub" / "hub.sqlite"
    store = open_day(db, plan)
    alerts: list[sm.Escalation] = []
    notifier = Notifier(_settings(tmp_path, smsc, **overrides), db_path=db, escalate=alerts.extend)
    expected = affected(plan, "martinez")
    smsc.go_down()
    notifier.start()
    try:
        set_status(store, "martinez", "out")
        settle(store, lambda _c: _channel(store, "down", len(expected)), timeout=20)
        time.sleep(outage_s)  # the outage goes on (the hub dials on its back-off meanwhile)
        assert all(row.attempts == 0 for row in store.notify.rows())  # waiting spent nothing
        smsc.come_up()
        settle(store, lambda c: c == {"delivered": len(expected)}, timeout=40)
        got = Counter(msg.destination for msg in smsc.received())
        assert got == Counter(dict.fromkeys(expected, 1))
        assert all(row.attempts == 1 for row in store.notify.rows())
        settle(store, lambda _c: _channel(store, "up", 0))  # written once a second
        assert not alerts
    finally:
        notifier.stop()
        store.close()


def test_a_long_outage_raises_one_escalation_not_one_per_patient(tmp_path: Path, smsc: SmscSim) -> None:
    plan = future_morning(6)
    db = tmp_path / "hub" / "hub.sqlite"
    store = open_day(db, plan)
    alerts: list[sm.Escalation] = []
    settings = _settings(tmp_path, smsc, channel_down_escalate_min=0.01, merge_window_s=0.2)
    notifier = Notifier(settings, db_path=db, escalate=alerts.extend)
    expected = affected(plan, "martinez", "chen")
    smsc.go_down()
    notifier.start()
    try:
        set_status(store, "martinez", "out")
        set_status(store, "chen", "late", 40)
        settle(store, lambda _c: len(alerts) >= 1 and _channel(store, "down", len(expected)))
        time.sleep(1.5)  # a second escalation for the same outage would come by now
        [alert] = alerts
        assert alert.about == "patient" and alert.open and alert.id.startswith("notify--smpp--")
        assert f"{len(expected)} patient message(s) wait" in alert.detail
        assert "+1555" not in alert.detail and "@" not in alert.detail
        state = store.notify.channels.get("smpp")
        assert state is not None and state.escalated_for == state.down_since
        said = f"smpp down since {state.down_since[11:16]}, {len(expected)} waiting"
        assert state.describe().startswith(said)
        assert f"channel {said}" in render_notifications(notification_view(store))  # kiosk hub notifications
        assert said in render_health(health_rows(store))  # kiosk hub health
        smsc.come_up()
        settle(store, lambda c: c == {"delivered": len(expected)}, timeout=30)
        assert Counter(m.destination for m in smsc.received()) == Counter(dict.fromkeys(expected, 1))
        settle(store, lambda _c: len(alerts) == 2)  # resolved once it is back
        opened, resolved = alerts
        assert resolved.id == opened.id and not resolved.open and "is back" in resolved.detail
        time.sleep(1.5)
        assert len(alerts) == 2
    finally:
        notifier.stop()
        store.close()


def test_a_visit_that_begins_while_its_message_waits_is_expired_not_sent(
    tmp_path: Path, smsc: SmscSim
) -> None:
    plan = future_morning(3)
    db = tmp_path / "hub" / "hub.sqlite"
    store = open_day(db, plan)
    clock = ManualClock(wall_now())
    alerts: list[sm.Escalation] = []
    notifier = Notifier(_settings(tmp_path, smsc), db_path=db, escalate=alerts.extend, clock=clock)
    expected = affected(plan, "martinez")
    smsc.go_down()
    notifier.start()
    try:
        set_status(store, "martinez", "out")
        clock.advance(3)  # past the merge window: due, but the SMSC is down
        settle(store, lambda _c: _channel(store, "down", len(expected)))
        clock.advance(3 * 3600)  # the whole morning passes while it is down
        settle(store, lambda c: c == {"expired": len(expected)})
        smsc.come_up()
        settle(store, lambda _c: len(alerts) == len(expected))  # a patient whose visit could not happen
        assert smsc.received() == []
    finally:
        notifier.stop()
        store.close()


def test_a_hub_killed_while_the_smsc_is_down_sends_each_once_after_both_return(
    tmp_path: Path, smsc: SmscSim
) -> None:
    broker = Broker(tmp_path / "broker")
    broker.start()
    start = morning_ahead().isoformat()
    args = (str(broker.port), str(tmp_path), str(smsc.port), start, "12")
    expected = affected(future_morning(15, start=morning_ahead()), "martinez", "chen")
    db = tmp_path / "hub" / "hub.sqlite"
    hub = Proc("tests.support.notify_hub_proc", *args)
    try:
        smsc.cut_after(6)  # the 6th SMS arrives, its answer never does: in doubt
        assert hub.ask("martinez out") == "applied"
        assert hub.ask("chen out") == "applied"
        deadline = time.monotonic() + 10
        while len(smsc.received()) < 6 and time.monotonic() < deadline:
            time.sleep(0.005)
        smsc.go_down()  # and stays down: its receipt waits at the SMSC
        reader = HubStore.open(db, readonly=True)
        settle(reader, lambda c: _channel(reader, "down", 1) and c.get("in_doubt", 0) >= 1)
        hub.kill()
        assert 0 < len(smsc.received()) < len(expected)
        hub = Proc("tests.support.notify_hub_proc", *args)  # the hub is back, the SMSC is not
        time.sleep(1.5)  # past in_doubt_s: an in-doubt SMS must still wait for the SMSC's receipt
        settle(reader, lambda _c: _channel(reader, "down", 1))
        smsc.come_up()
        settle(reader, lambda c: all_final(c) and c.get("delivered", 0) == len(expected), timeout=40)
        reader.close()
        time.sleep(1.5)  # past in_doubt_s again: a wrongly resent message would have arrived by now
        got = Counter(m.destination for m in smsc.received())
        assert got == Counter(dict.fromkeys(expected, 1))
    finally:
        hub.close()
        broker.stop()


def test_an_smtp_relay_outage_loses_and_doubles_nothing(tmp_path: Path, smsc: SmscSim) -> None:
    plan = future_morning(4, channel="email")
    db = tmp_path / "hub" / "hub.sqlite"
    store = open_day(db, plan)
    relay = SmtpSink().start()
    settings = with_notify(
        site_settings(BrokerSettings(port=1), tmp_path), smsc, relay, **{**_DEFAULTS, "max_attempts": 1}
    )
    relay.stop()  # the relay is down before the change
    notifier = Notifier(settings, db_path=db)
    expected = affected(plan, "okafor")
    notifier.start()
    try:
        set_status(store, "okafor", "out")
        settle(store, lambda _c: _channel(store, "down", len(expected), "smtp"), timeout=20)
        time.sleep(3.0)  # down for a while, dialled on its back-off
        assert all(row.attempts == 0 for row in store.notify.rows())
        relay = SmtpSink(relay.port, relay.handler).start()  # the same relay, back
        settle(store, lambda c: c == {"sent": len(expected)}, timeout=40)
        assert Counter(str(msg["To"]) for msg in relay.received) == Counter(dict.fromkeys(expected, 1))
    finally:
        notifier.stop()
        store.close()
        relay.stop()


def _channel(store: HubStore, state: str, waiting_at_least: int, name: str = "smpp") -> bool:
    """The channel's recorded state is ``state`` with at least that many waiting (exactly 0
    when 0 is asked for)."""
    seen = store.notify.channels.get(name)
    if seen is None or seen.state != state:
        return False
    return seen.waiting == 0 if waiting_at_least == 0 else seen.waiting >= waiting_at_least


def test_the_hub_opens_and_resolves_a_channel_escalation_once(tmp_path: Path) -> None:
    broker = Broker(tmp_path / "broker")
    broker.start()
    hub = start_hub(broker.settings(), tmp_path)
    try:
        raise_them = escalator(hub)
        opened = sm.Escalation(
            "notify--smpp--20261130T075100", "2026-11-30T08:01:00", "patient", True, detail="x"
        )
        raise_them([opened])
        raise_them([opened])  # again after a restart: still one
        resolved = replace(opened, open=False, at="2026-11-30T08:30:00", detail="SMS (the SMSC) is back")
        raise_them([resolved])
        rows = hub.call(lambda store: store.staff.escalations(only_open=False))
        assert [(r["id"], bool(r["open"])) for r in rows] == [(opened.id, False)]
        actions = hub.call(lambda store: [r[0] for r in store.db.execute("SELECT action FROM audit")])
        assert actions.count("escalation") == 1 and actions.count("escalation_resolved") == 1
    finally:
        hub.stop()
        broker.stop()
