"""The story end to end, over a real broker, SMSC and SMTP relay: Dr. Martinez is set out
from the practice's terminal; each consenting patient still to come hears it once, in
their language; one replies STOP and hears nothing more, one replies 2 and staff see a
reschedule request; a number that cannot be reached is escalated; kiosks never see a
phone number or an e-mail address."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path

from devtools.local_broker import Broker
from devtools.smsc_sim import SmscSim
from hub.notify.hub_link import start_notifier
from hub.service import HubService
from hub.store import HubStore
from kiosk.cli import main
from tests.hub.notify.conftest import with_notify
from tests.hub.notify.rig import affected, all_final, future_morning, settle
from tests.support.broker import broker_toml, retained_raw
from tests.support.mail import SmtpSink
from tests.support.site import site_settings, wait_for


def _cli(config: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--config", str(config), "hub", *args])
    return code, out.getvalue()


def test_martinez_out_reaches_each_patient_once_and_their_replies_reach_staff(
    tmp_path: Path, smsc: SmscSim, smtp_sink: SmtpSink
) -> None:
    broker = Broker(tmp_path / "broker")
    broker.start()
    plan = future_morning(6, channel="mixed")
    settings = with_notify(site_settings(broker.settings(), tmp_path, "hub-side"), smsc, smtp_sink)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "lobby-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path}"\n'
        + broker_toml(broker, reconnect_min_s=0.1)
        + f'[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
    )
    patients = affected(plan, "martinez")
    unreachable = sorted(a for a in patients if a.startswith("+"))[-1]
    smsc.faults.undeliverable.add(unreachable)
    hub = HubService(settings)
    notifier = start_notifier(settings, hub)
    assert notifier is not None
    hub.start(plan)
    try:
        code, out = _cli(config, "status", "martinez", "out", "--reason", "sick")
        assert code == 0, out
        reader = HubStore.open(hub.db_path, readonly=True)
        settle(reader, lambda c: all_final(c) and "undeliverable" in c)
        reader.close()
        sms = Counter(m.destination for m in smsc.received())
        mail = Counter(str(m["To"]) for m in smtp_sink.received)
        assert sms + mail == Counter(dict.fromkeys(patients, 1))  # each once, by their channel
        for message in smsc.received():
            spanish = patients[message.destination].language == "es"
            assert message.text.startswith("Riverside Family Practice: ")
            assert ("su cita de hoy" in message.text) is spanish
            assert "sick" not in message.text  # never the reason
        for email in smtp_sink.received:
            assert str(email["Subject"]).startswith("Riverside Family Practice:")
        wait_for(
            lambda: any(e["about"] == "patient" for e in hub.call(lambda s: s.staff.escalations())),
            what="escalation",
        )
        escalation = next(e for e in hub.call(lambda s: s.staff.escalations()) if e["about"] == "patient")
        assert (
            patients[unreachable].appointment_id in escalation["detail"]
            and "+1555" not in escalation["detail"]
        )

        phones = sorted(a for a in patients if a.startswith("+") and a != unreachable)
        stopper, rescheduler = phones[0], phones[1]
        smsc.reply(stopper, "STOP")
        smsc.reply(rescheduler, "2")
        wait_for(lambda: len(hub.call(lambda s: s.notify.replies())) == 2, what="replies recorded")
        code, out = _cli(config, "notifications")
        assert code == 0
        assert f"{patients[rescheduler].appointment_id}" in out and "wants to reschedule" in out
        assert "opted out (STOP)" in out
        assert stopper not in out and rescheduler not in out  # masked
        view = json.loads(_cli(config, "notifications", "--json")[1])
        assert {r["meaning"] for r in view["requests"]} == {"stop", "reschedule"}
        audit = [r.action for r in hub.call(lambda s: s.audit.records())]
        assert "notify_opt_out" in audit

        before = len(smsc.received())
        code, out = _cli(config, "status", "martinez", "on-time")
        assert code == 0, out
        told_better = len(phones) - 1  # everyone reached by SMS but the one who said STOP
        deadline = time.monotonic() + 60
        while len(smsc.received()) < before + told_better and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # nothing more comes
        better = [m for m in smsc.received()[before:]]
        assert Counter(m.destination for m in better) == Counter(dict.fromkeys(phones[1:], 1))
        assert all("back on time" in m.text or "vuelve a su hora" in m.text for m in better)

        schedule = retained_raw(broker, hub.tree.schedule("martinez")).decode()
        affected_list = retained_raw(broker, hub.tree.affected("martinez")).decode()
        for payload in (schedule, affected_list):
            assert "+1555" not in payload and "example.org" not in payload
    finally:
        hub.stop()
        notifier.stop()
        broker.stop()
