"""The pure parts of notifications: who is told what, in which words, when not, and what
a reply means."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from core.errors import ConfigError
from hub.notify.contacts import PatientContact, check_contact, mask
from hub.notify.rules import (
    ChangeView,
    Notice,
    answer_overdue,
    in_quiet_hours,
    notice_to_send,
    over_cap,
    plan_change,
    quiet_until,
    rounded_delay,
)
from hub.notify.texts import SMS_MAX, render, reply_meaning
from hub.schedule_io import load_plan
from sync.messages import Appointment

DAY = "2026-11-30"


def _appt(n: int, start: str, state: str = "booked") -> Appointment:
    return Appointment(
        f"mar-{n:04d}",
        "martinez",
        f"{DAY}T{start}",
        15,
        "Ana",
        "GAR",
        "1980-01-01",
        "ABC234",
        state,  # type: ignore[arg-type]
    )


def _change(state: str, delay: int = 0, leaving: str = "", at: str = "07:43") -> ChangeView:
    return ChangeView("martinez", 3, state, delay, leaving, f"{DAY}T{at}:00")


@pytest.mark.parametrize(
    ("desired", "told", "sent"),
    [
        (Notice("out"), None, Notice("out")),
        (Notice("out"), Notice("out"), None),  # told already: nothing new
        (Notice("late", 30), None, Notice("late", 30)),
        (Notice("late", 35), Notice("late", 30), None),  # less than the threshold apart
        (Notice("late", 50), Notice("late", 30), Notice("late", 50)),
        (Notice("late", 15), Notice("late", 45), Notice("late", 15)),  # better by the threshold
        (None, Notice("late", 30), Notice("on_time")),  # back on time: tell who was told
        (None, None, None),  # never told, nothing wrong: silence
        (None, Notice("on_time"), None),
        (
            Notice("leaving", leaving_at="11:00"),
            Notice("leaving", leaving_at="12:00"),
            Notice("leaving", leaving_at="11:00"),
        ),
    ],
)
def test_what_a_patient_is_told_depends_on_what_they_were_told(
    desired: Notice | None, told: Notice | None, sent: Notice | None
) -> None:
    assert notice_to_send(desired, told, 15) == sent


def test_a_change_concerns_the_booked_visits_still_to_come() -> None:
    appts = [_appt(1, "07:30"), _appt(2, "08:00"), _appt(3, "09:00", "checked_in"), _appt(4, "10:00")]
    planned = dict((a.id, n) for a, n in plan_change(_change("out"), appts, {}, 15))
    assert planned == {"mar-0002": Notice("out"), "mar-0004": Notice("out")}  # begun and checked in: not
    late = dict((a.id, n) for a, n in plan_change(_change("late", 12), appts, {}, 15))
    assert late == {"mar-0002": None, "mar-0004": None}  # under the threshold: nobody
    late = dict((a.id, n) for a, n in plan_change(_change("late", 22), appts, {}, 15))
    assert late["mar-0002"] == Notice("late", 25)  # rounded up to 5 min
    leaving = dict(
        (a.id, n) for a, n in plan_change(_change("leaving_early", leaving="09:30"), appts, {}, 15)
    )
    assert leaving == {"mar-0002": None, "mar-0004": Notice("leaving", leaving_at="09:30")}


@pytest.mark.parametrize(("delay", "told"), [(1, 5), (5, 5), (6, 10), (29, 30), (30, 30)])
def test_delays_are_told_in_five_minute_steps(delay: int, told: int) -> None:
    assert rounded_delay(delay) == told


@pytest.mark.parametrize(
    ("at", "quiet"), [("20:59", False), ("21:00", True), ("23:30", True), ("03:00", True), ("08:00", False)]
)
def test_quiet_hours_wrap_midnight(at: str, quiet: bool) -> None:
    assert in_quiet_hours(datetime.fromisoformat(f"{DAY}T{at}"), "21:00", "08:00") is quiet
    assert not in_quiet_hours(datetime.fromisoformat(f"{DAY}T{at}"), "00:00", "00:00")


def test_quiet_hours_end_the_next_morning() -> None:
    assert quiet_until(datetime.fromisoformat(f"{DAY}T22:00"), "08:00") == datetime.fromisoformat(
        "2026-12-01T08:00"
    )


def test_caps_per_day_and_week() -> None:
    now = datetime.fromisoformat(f"{DAY}T10:00")
    earlier = [datetime.fromisoformat(f"2026-11-{d}T09:00") for d in (25, 26, 27, 28)]
    assert over_cap(earlier, now, 3, 8) == ""
    assert over_cap([*earlier, now, now, now], now, 3, 8) == "day"
    assert over_cap(earlier, now, 3, 4) == "week"


def test_no_answer_is_overdue_before_the_visit_and_after_a_few_minutes() -> None:
    at = datetime.fromisoformat
    assert not answer_overdue(f"{DAY}T11:00", f"{DAY}T09:00", at(f"{DAY}T10:00"), 30)
    assert answer_overdue(f"{DAY}T11:00", f"{DAY}T09:00", at(f"{DAY}T10:31"), 30)
    assert not answer_overdue(f"{DAY}T10:20", f"{DAY}T10:00", at(f"{DAY}T10:02"), 30)  # sent just now


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["late", "out", "leaving", "on_time"])
def test_texts_fit_one_sms_name_the_practice_and_time_and_no_reason(language: str, kind: str) -> None:
    practice = "Clínica Familiar de Riverside y Asociados del Valle Norte"
    subject, text = render(Notice(kind, 30, "11:00"), practice, f"{DAY}T09:30", language)
    assert len(text) <= SMS_MAX and text.isascii()
    assert text.startswith("Clinica Familiar") and "9:30" in text and "STOP" in text
    assert "sick" not in text and "enferm" not in text
    assert "9:30" in subject


@pytest.mark.parametrize(
    ("reply", "meaning"),
    [
        ("1", "keep"),
        ("Yes!", "keep"),
        ("sí", "keep"),
        ("2", "reschedule"),
        ("Reschedule please", "reschedule"),
        ("STOP", "stop"),
        ("stop all", "stop"),
        ("Unsubscribe", "stop"),
        ("start", "start"),
        ("who is this?", "other"),
        ("", "other"),
    ],
)
def test_replies(reply: str, meaning: str) -> None:
    assert reply_meaning(reply) == meaning


def test_contacts_are_checked_and_masked() -> None:
    check_contact(PatientContact("a1", phone="+15550000001", consent=True, channel="sms"))
    with pytest.raises(ConfigError, match="column phone"):
        check_contact(PatientContact("a1", phone="555-1234", consent=True, channel="sms"))
    with pytest.raises(ConfigError, match="no email"):
        check_contact(PatientContact("a1", phone="+15550000001", consent=True, channel="email"))
    assert mask("+15550000001") == "+1555…01"
    assert mask("maria.garcia@example.org") == "m…@example.org"


def test_schedule_file_contacts_errors_name_the_row_never_the_value(tmp_path: Path) -> None:
    head = "id,provider_id,start,duration_min,first_name,last_name,dob,code,"
    head += "phone,email,consent,channel,language\n"
    row = "a1,martinez,2026-11-30T09:00,15,Ana,Garcia,1980-01-01,ABC234,"
    row += "{phone},ana@example.org,{consent},sms,es\n"
    good = tmp_path / "good.csv"
    good.write_text(head + row.format(phone="+15550000001", consent="yes"))
    plan = load_plan(good)
    assert plan.contacts == [PatientContact("a1", "+15550000001", "ana@example.org", True, "sms", "es")]
    bad = tmp_path / "bad.csv"
    second = row.replace("a1,", "a2,").replace("09:00", "09:15")
    bad.write_text(
        head
        + row.format(phone="+1 (555) 867", consent="yes")
        + second.format(phone="+15550000002", consent="yes")
    )
    plan = load_plan(bad)  # the bad cell refuses that row's contact; the whole day loads
    assert [a.id for a in plan.appointments] == ["a1", "a2"]
    assert [c.appointment_id for c in plan.contacts] == ["a2"]
    [refusal] = plan.refused
    assert refusal.startswith(f"{bad}: row 2: column phone") and "867" not in refusal
    bad.write_text(head + row.format(phone="+15550000001", consent="maybe"))
    assert [r.split(": ", 1)[1] for r in load_plan(bad).refused] == [
        "row 2: column consent: expected yes or no"
    ]
