"""Key 9, transfer to the front desk: office hours, the REFER's answers and NOTIFY
progress, and what the caller hears when the desk cannot take the call (pure); a NOTIFY
nobody asked for (over loopback)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest

from config import load_settings
from core.errors import ConfigError
from devtools.sip_caller import SipCaller
from phone import sip
from phone.line import LineConfig
from phone.own_appointment import OwnAppointment
from phone.script import CallScript, Day
from phone.transfer import OfficeHours, Transfer, sipfrag_status
from tests.phone.support import bare_line

DAY = Day([], {}, "2026-12-07")


def test_a_bad_desk_hours_setting_fails_at_load_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "phone.toml"
    config.write_text('[phone]\ndesk_hours = "weekdays 8-5"\n')
    with pytest.raises(ConfigError, match="desk_hours"):
        load_settings(config)


def test_office_hours_by_weekday_and_time() -> None:
    hours = OfficeHours.parse("Mon-Fri 07:30-18:00, sat 09:00-12:00")
    monday = datetime(2026, 12, 7, 7, 29)
    assert not hours.open_at(monday) and hours.open_at(monday.replace(minute=30))
    assert not hours.open_at(monday.replace(hour=18, minute=0))
    assert hours.open_at(datetime(2026, 12, 12, 11, 59)) and not hours.open_at(datetime(2026, 12, 13, 10))
    assert OfficeHours.parse("fri-mon 10:00-11:00").open_at(datetime(2026, 12, 13, 10, 30))  # wraps the week
    assert OfficeHours.parse("").open_at(monday)  # no hours set: the desk's PBX decides


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("weekdays 08:00-17:00", "is not a day"),
        ("mon 18:00", "is not a span"),
        ("mon 25:00-26:00", "time of day"),
    ],
)
def test_bad_office_hours_name_the_setting_and_what_was_wrong(text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=r"phone\.desk_hours") as error:
        OfficeHours.parse(text)
    assert says in str(error.value)


def test_sipfrag_status() -> None:
    assert sipfrag_status(b"SIP/2.0 200 OK\r\n") == 200
    assert sipfrag_status(b"SIP/2.0 100 Trying") == 100
    assert sipfrag_status(b"hello") is None and sipfrag_status(b"") is None


def test_a_transfer_ends_transferred_refused_or_unanswered() -> None:
    ok = Transfer(started=0.0)
    ok.on_response(202)
    ok.on_notify(100, terminated=False)
    assert ok.check(1.0) is None and ok.accepted
    ok.on_notify(200, terminated=True)
    assert ok.check(2.0) == "transferred"

    refused = Transfer(started=0.0)
    refused.on_response(603)
    assert refused.check(0.1) == "refused"

    busy = Transfer(started=0.0)
    busy.on_response(202)
    busy.on_notify(486, terminated=True)
    assert busy.check(0.1) == "no_answer"

    silent = Transfer(started=0.0, timeout_s=30)
    silent.on_response(202)
    assert silent.check(29.9) is None and silent.check(30.1) == "no_answer"
    silent.on_notify(200, terminated=True)  # too late: the caller already heard the callback offer
    assert silent.outcome == "no_answer"

    ended = Transfer(started=0.0)
    ended.on_notify(None, terminated=True)  # the subscription ended with no final word
    assert ended.check(0.1) == "no_answer"


def test_key_9_transfers_only_when_a_desk_is_configured() -> None:
    assert not CallScript("Riverside").on_key("9", DAY).transfer
    script = CallScript("Riverside", desk=True)
    assert "To talk to the front desk, press nine." in script.opening(DAY)[-1]
    reaction = script.on_key("9", DAY)
    assert reaction.transfer and reaction.prompts == [
        "Please hold while I put you through to the front desk."
    ]
    assert script.transfer_failed(closed=True)[:2] == [
        "The front desk is closed now.",
        "To leave a request for a call back, press zero.",
    ]
    assert script.transfer_failed(closed=False)[0] == "Sorry, the front desk cannot take your call right now."
    script.on_key("2", DAY)
    assert script.transfer_failed(closed=True)[0] == "La recepción está cerrada ahora."


def test_no_match_offers_the_desk_and_the_callback() -> None:
    script = CallScript("Riverside", own=OwnAppointment(), desk=True)
    script.on_key("3", DAY)
    for key in "0304198262":
        script.on_key(key, DAY)
    assert script.looked_up(None)[:3] == [
        "I could not find that appointment.",
        "To talk to the front desk, press nine.",
        "To leave a request for a call back, press zero.",
    ]


async def _stray_notify() -> None:
    line, _calls, _callbacks = bare_line(LineConfig(port=0, allowed=("127.0.0.1",), rtp_timeout_s=20))
    await line.start()
    caller = SipCaller(("127.0.0.1", line.port))
    await caller.open()
    try:
        final = await caller.call()
        assert final.status == 200
        notify = caller.request("NOTIFY", 5, to=final.header("to"))
        caller.send_raw(sip.build(notify))

        while not any(r.cseq == (5, "NOTIFY") for r in caller.responses):
            await asyncio.sleep(0.02)
        assert next(r for r in caller.responses if r.cseq == (5, "NOTIFY")).status == 481
        assert line.dialogs  # the call itself goes on
        await caller.hang_up()
    finally:
        await caller.close()
        await line.stop()


def test_a_notify_with_no_refer_pending_gets_481_and_the_call_goes_on() -> None:
    asyncio.run(asyncio.wait_for(_stray_notify(), 60))
