"""Sending survives the carrier's faults: an SMSC that goes down mid-burst, throttles and
cuts a connection after taking a message; an SMTP relay that refuses or is busy. Every
consenting patient gets exactly one message; one that cannot be reached is escalated."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from config.settings import BrokerSettings, Settings
from devtools.smsc_sim import SmscSim, most_in_one_second
from hub.notify.notifier import Notifier
from sync import staff_messages as sm
from tests.hub.notify.conftest import with_notify
from tests.hub.notify.rig import (
    affected,
    all_final,
    future_morning,
    open_day,
    set_status,
    settle,
)
from tests.support.mail import SmtpSink
from tests.support.site import site_settings


def _settings(tmp_path: Path, smsc: SmscSim, smtp: SmtpSink | None = None, **overrides: object) -> Settings:
    return with_notify(site_settings(BrokerSettings(port=1), tmp_path), smsc, smtp, **overrides)


def test_an_smsc_outage_throttling_and_a_cut_connection_lose_and_double_nothing(
    tmp_path: Path, smsc: SmscSim
) -> None:
    plan = future_morning(12)
    store = open_day(tmp_path / "hub" / "hub.sqlite", plan)
    alerts: list[sm.Escalation] = []
    notifier = Notifier(
        _settings(tmp_path, smsc, smpp_rate_per_s=40.0),
        db_path=tmp_path / "hub" / "hub.sqlite",
        escalate=alerts.extend,
    )
    notifier.start()
    smsc.faults.throttle_every = 5
    smsc.cut_after(7)  # the 7th message arrives, its answer never does
    try:
        set_status(store, "martinez", "out")
        set_status(store, "chen", "late", 40)
        deadline = time.monotonic() + 60
        while len(smsc.received()) < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        smsc.go_down()
        time.sleep(0.6)
        smsc.come_up()
        settle(store, all_final)
        expected = affected(plan, "martinez", "chen")
        got = Counter(msg.destination for msg in smsc.received())
        assert got == Counter(dict.fromkeys(expected, 1))  # every one, once
        assert most_in_one_second([msg.at for msg in smsc.received()]) <= 40  # smpp_rate_per_s, every second
        assert smsc.throttled > 0 and notifier.stats["retried"] > 0
        assert notifier.stats["in_doubt"] >= 1 and notifier.stats["in_doubt_confirmed"] >= 1
        assert store.notify.counts() == {"delivered": len(expected)}
        assert not alerts
    finally:
        notifier.stop()
        store.close()


def test_undeliverable_numbers_and_refused_mailboxes_open_escalations(
    tmp_path: Path, smsc: SmscSim, smtp_sink: SmtpSink
) -> None:
    plan = future_morning(4, channel="mixed")
    store = open_day(tmp_path / "hub" / "hub.sqlite", plan)
    patients = affected(plan, "okafor")
    phones = sorted(a for a in patients if a.startswith("+"))
    mails = sorted(a for a in patients if "@" in a)
    smsc.faults.undeliverable.add(phones[0])  # taken, then the carrier reports UNDELIV
    smsc.faults.invalid.add(phones[1])  # refused at submission
    smtp_sink.handler.refuse.add(mails[0])
    smtp_sink.handler.busy = True  # 451 first: tried again
    alerts: list[sm.Escalation] = []
    notifier = Notifier(
        _settings(tmp_path, smsc, smtp_sink), db_path=tmp_path / "hub" / "hub.sqlite", escalate=alerts.extend
    )
    notifier.start()
    try:
        set_status(store, "okafor", "out")
        settle(store, lambda _c: notifier.stats["retried"] > 0)  # the busy relay said 451
        smtp_sink.handler.busy = False
        settle(store, lambda c: all_final(c) and len(alerts) == 3)
        assert sorted(a.about for a in alerts) == ["patient"] * 3
        by_appt = {c.appointment_id: a for a, c in patients.items()}
        called = {alert.id.split("-okafor")[0].removeprefix("patient-") for alert in alerts}
        assert called == {
            patients[phones[0]].appointment_id,
            patients[phones[1]].appointment_id,
            patients[mails[0]].appointment_id,
        }
        assert all("+1555" not in a.detail and "@" not in a.detail for a in alerts)  # ids, never addresses
        mail = {str(msg["To"]): msg for msg in smtp_sink.received}
        assert set(mail) == set(mails[1:])  # each once, after the relay was busy
        assert all(str(msg["Message-ID"]).endswith("@kiosk-hub>") for msg in mail.values())
        assert len(by_appt) == len(patients)
    finally:
        notifier.stop()
        store.close()
