"""Replies on every channel, with real servers on loopback: e-mail notices name the
mailbox the hub reads (dovecot over IMAP with STARTTLS) in Reply-To and List-Unsubscribe;
an e-mailed STOP stops the next message and "2" asks to reschedule; an SMS reply with
control bytes is stored cleaned with a reason; a STOP from a sender that is no number
opts nobody out; staff opt a patient out and back in from the CLI, audited."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import BrokerSettings, Settings
from devtools.smsc_sim import SmscSim
from domain.staff import hash_secret
from hub.notify.notifier import Notifier
from hub.notify.reply_check import check_reply
from kiosk.cli import main
from tests.hub.notify.conftest import with_notify
from tests.hub.notify.rig import affected, all_final, future_morning, open_day, set_status, settle
from tests.support.imap import PASSWORD, USER, Dovecot
from tests.support.mail import SmtpSink
from tests.support.site import site_settings


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot().start()
    yield server
    server.stop()


def _settings(tmp_path: Path, smsc: SmscSim, smtp: SmtpSink, imap: Dovecot) -> Settings:
    return with_notify(
        site_settings(BrokerSettings(port=1), tmp_path),
        smsc,
        smtp,
        smtp_reply_to="replies@riverside.example.org",
        imap_host="127.0.0.1",
        imap_port=imap.port,
        imap_security="starttls",
        imap_ca_file=imap.ca_file,
        imap_username=USER,
        imap_password=PASSWORD,
        imap_poll_s=0.2,
    )


def test_an_emailed_stop_stops_the_next_message_and_2_asks_to_reschedule(
    tmp_path: Path, smsc: SmscSim, smtp_sink: SmtpSink, dovecot: Dovecot
) -> None:
    plan = future_morning(4, channel="email")
    db = tmp_path / "hub" / "hub.sqlite"
    store = open_day(db, plan)
    notifier = Notifier(_settings(tmp_path, smsc, smtp_sink, dovecot), db_path=db)
    notifier.start()
    patients = sorted(affected(plan, "okafor"))
    stopper, rescheduler = patients[0], patients[1]
    try:
        set_status(store, "okafor", "out")
        settle(store, lambda c: all_final(c) and c.get("sent", 0) == len(patients))
        first = {str(msg["To"]): msg for msg in smtp_sink.received}
        assert set(first) == set(patients)
        mail = first[stopper]
        assert mail["Reply-To"] == "replies@riverside.example.org"
        assert mail["List-Unsubscribe"] == "<mailto:replies@riverside.example.org?subject=STOP>"

        # What a mail program's "unsubscribe" sends, and a patient's answer above the quote.
        dovecot.deliver(stopper.upper(), "STOP", "This message was sent to unsubscribe.")
        dovecot.deliver(
            rescheduler, f"Re: {mail['Subject']}", "2\n\nOn Mon, the clinic wrote:\n> Reply 1 or 2"
        )
        settle(store, lambda _c: len(store.notify.replies()) == 2)
        assert store.notify.opted_out(stopper)
        meanings = {r["address"]: r["meaning"] for r in store.notify.replies()}
        assert meanings == {stopper: "stop", rescheduler: "reschedule"}
        row = store.notify.get(f"{affected(plan, 'okafor')[rescheduler].appointment_id}/okafor-v1")
        assert row is not None and row.answer == "reschedule"
        settle(store, lambda _c: dovecot.unseen() == 0)  # marked read once committed
        actions = [r[0] for r in store.db.execute("SELECT action FROM audit")]
        assert "notify_opt_out" in actions

        set_status(store, "okafor", "on_time")  # "back on time": everyone but the one who stopped
        settle(store, lambda c: all_final(c) and c.get("opted_out", 0) == 1)
        time.sleep(0.5)
        got = Counter(str(msg["To"]) for msg in smtp_sink.received)
        assert got[stopper] == 1 and all(got[p] == 2 for p in patients if p != stopper)
    finally:
        notifier.stop()
        store.close()


def test_hostile_sms_replies_are_cleaned_or_refused_with_a_reason(tmp_path: Path, smsc: SmscSim) -> None:
    plan = future_morning(3)
    db = tmp_path / "hub" / "hub.sqlite"
    store = open_day(db, plan)
    notifier = Notifier(with_notify(site_settings(BrokerSettings(port=1), tmp_path), smsc), db_path=db)
    notifier.start()
    phone = sorted(affected(plan, "chen"))[0]
    try:
        set_status(store, "chen", "out")
        settle(store, lambda c: all_final(c) and c.get("delivered", 0) > 0)
        smsc.reply("RIVERSIDE", "STOP")  # an alphanumeric sender: not a number that can opt out
        smsc.reply(phone, "2\x00\x1b[2J\x1b]0;pwned\x07")
        settle(store, lambda _c: len(store.notify.replies()) == 2)
        by_address = {r["address"]: r for r in store.notify.replies()}
        refused = by_address["+RIVERSIDE"]
        assert refused["meaning"] == "refused" and "not a phone number" in refused["note"]
        assert store.db.execute("SELECT count(*) FROM notify_optouts").fetchone()[0] == 0
        cleaned = by_address[phone]
        assert cleaned["meaning"] == "reschedule" and "control character" in cleaned["note"]
        assert not any(ord(ch) < 32 for ch in cleaned["text"])
        assert notifier.stats["replies_refused"] == 1 and notifier.stats["replies_cleaned"] == 1
    finally:
        notifier.stop()
        store.close()


@pytest.mark.parametrize(
    ("address", "text", "channel", "valid", "kept"),
    [
        ("+15550000001", "STOP", "smpp", True, "STOP"),
        ("+15550000001", "1\x00\x00", "smpp", True, "1"),
        ("+1555ABC", "STOP", "smpp", False, "STOP"),
        ("ann@example.org", "stop\u202e\u200b", "smtp", True, "stop"),
        ("not an address", "STOP", "smtp", False, "STOP"),
        ("+15550000001", "x" * 500, "smpp", True, "x" * 160),
    ],
)
def test_reply_checks(address: str, text: str, channel: str, valid: bool, kept: str) -> None:
    checked = check_reply(address, text, channel)
    assert (checked.valid_sender, checked.text) == (valid, kept)
    assert bool(checked.note) == (not valid or kept != text)


def test_staff_opt_a_patient_out_and_back_in_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = future_morning(2)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "hub-side"\nstate_dir = "{tmp_path}"\n[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
        f'[staff.members]\n"desk-ann" = "front_desk:{hash_secret("0000", n=2**4)}"\n'
    )
    store = open_day(tmp_path / "hub" / "hub.sqlite", plan)
    appointment = next(c.appointment_id for c in plan.contacts if c.address())
    store.close()

    def kiosk(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["--config", str(config), "hub", *args])
        return code, capsys.readouterr().out

    code, out = kiosk("notify-opt-out", appointment, "--by", "desk-ann")
    assert code == 0 and "opted out (" in out and "audited" in out
    code, out = kiosk("notifications")
    assert "opted out\n" in out and "via staff:desk-ann" in out
    assert kiosk("notify-opt-in", appointment, "--by", "desk-ann")[0] == 0
    assert kiosk("notify-opt-out", appointment, "--by", "nobody")[0] != 0  # not in [staff.members]
    store = open_day(tmp_path / "hub" / "hub.sqlite", plan)
    try:
        audit = [(r[0], r[1]) for r in store.db.execute("SELECT actor, action FROM audit ORDER BY seq")]
        assert audit[-2:] == [("desk-ann", "notify_opt_out"), ("desk-ann", "notify_opt_in")]
        assert all("+1555" not in r[0] for r in store.db.execute("SELECT detail FROM audit"))
        assert not store.notify.opted_out(
            next(c.address() for c in plan.contacts if c.appointment_id == appointment)
        )
    finally:
        store.close()
