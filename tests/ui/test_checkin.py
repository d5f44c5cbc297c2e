"""A patient at the real QML UI: every path of the issue, by touch."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import (
    QSignalBlocker,  # noqa: F401 - keeps QtCore loaded before QtTest on old wheels
    Qt,
)
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from devtools.ui_sample import VISITORS, SampleDay
from tests.ui.conftest import Patient
from ui.app import KioskUi


def _start(patient: Patient, method: str) -> None:
    patient.tap("startButton")
    assert patient.screen == "welcome"
    patient.tap("dobButton" if method == "dob" else "codeButton")


def test_check_in_by_date_of_birth_on_time(patient: Patient, day: SampleDay) -> None:
    diego = VISITORS["on_time"]
    _start(patient, "dob")
    assert patient.screen == "dob"
    patient.type(diego.dob_digits[:4])
    assert patient.text("entryDisplay") == "02/14/YYYY"
    assert not patient.item("continueButton").isEnabled()
    patient.type(diego.dob_digits[4:])
    assert patient.text("entryDisplay") == "02/14/1988"
    patient.tap("continueButton")
    assert patient.screen == "confirm"
    assert patient.text("patientName") == "Diego T."
    assert patient.text("appointmentLine") == "Appointment at 09:40 with Dr. Raj Patel"
    assert not patient.sees("Torres") and not patient.sees("1988")
    patient.tap("yesButton")
    assert patient.screen == "outcome"
    assert patient.text("outcomeHeadline") == "You are checked in, Diego!"
    assert "Estimated wait: about 35 minutes (around 09:40)" in patient.text("outcomeDetail")
    assert [m.appointment_id for m in day.sent] == [diego.appt_id] and day.sent[0].method == "dob"
    assert patient.text("ticketNote") == "Please take your ticket."
    patient.tap("doneButton")
    assert patient.screen == "attract"


def test_check_in_by_confirmation_code(patient: Patient, day: SampleDay) -> None:
    _start(patient, "code")
    patient.type("PATL3")
    patient.tap("key_erase")
    patient.type("34")
    assert patient.text("entryDisplay") == "PATL34"
    patient.tap("continueButton")
    assert patient.text("patientName") == "Diego T."
    patient.tap("yesButton")
    assert patient.shown("outcomeKind") == "on_time" and day.sent[0].method == "code"


def test_a_qr_code_goes_through_the_same_entry_point(patient: Patient, day: SampleDay) -> None:
    patient.ui.flow.scan_qr("https://practice.example/c/PATL34")
    assert patient.screen == "confirm" and patient.text("patientName") == "Diego T."


def test_ambiguous_date_of_birth_asks_for_letters_and_never_lists_names(patient: Patient) -> None:
    _start(patient, "dob")
    patient.type(VISITORS["twin_a"].dob_digits)
    patient.tap("continueButton")
    assert patient.screen == "letters"
    for other in ("Maria", "James", "Mei", "Garcia", "Smith", "Garza"):
        assert not patient.sees(other)
    patient.type("SM")
    patient.tap("continueButton")
    assert patient.screen == "confirm" and patient.text("patientName") == "James S."


def test_letters_that_still_match_two_patients_send_to_the_front_desk(patient: Patient) -> None:
    _start(patient, "dob")
    patient.type(VISITORS["twin_a"].dob_digits)
    patient.tap("continueButton")
    patient.type("GA")
    patient.tap("continueButton")
    assert patient.screen == "message" and patient.shown("message") == "ambiguous"
    assert "front desk" in patient.text("messageDetail")
    assert not patient.sees("Maria") and not patient.sees("Mei")


@pytest.mark.parametrize(
    ("code", "kind", "headline", "detail"),
    [
        ("LATE42", "too_early", "You are early!", "Check-in opens at 11:30"),
        ("EARLY8", "too_late", "Your appointment time has passed.", "front desk"),
        ("TMRW45", "not_today", "Your appointment is not today.", "front desk"),
        ("DNE322", "already_checked_in", "You are already checked in.", "front desk"),
        ("ZZZZ99", "not_found", "We could not find your appointment.", "front desk"),
    ],
)
def test_outside_the_window_or_unknown_ends_in_a_clear_message(
    patient: Patient, day: SampleDay, code: str, kind: str, headline: str, detail: str
) -> None:
    _start(patient, "code")
    patient.type(code)
    patient.tap("continueButton")
    assert patient.screen == "message" and patient.shown("message") == kind
    assert patient.text("messageHeadline") == headline
    assert detail in patient.text("messageDetail")
    assert day.sent == []
    patient.tap("startOverButton")
    assert patient.screen == "welcome"


def test_provider_late_offers_wait_or_come_back(patient: Patient, day: SampleDay) -> None:
    _start(patient, "code")
    patient.type(VISITORS["late"].code)
    patient.tap("continueButton")
    patient.tap("yesButton")
    assert patient.text("outcomeHeadline") == "Dr. Ngozi Okafor is running about 20 minutes late."
    assert "Your new estimated time is 09:40." in patient.text("outcomeDetail")
    assert day.sent == []  # nothing is sent until the patient chooses
    patient.tap("option_return_later")
    assert patient.screen == "done"
    assert patient.text("doneDetail").startswith("Please come back by 09:40.")
    assert day.sent[0].outcome == "return_later"


def test_provider_out_offers_the_practice_options(patient: Patient, day: SampleDay) -> None:
    _start(patient, "code")
    patient.type(VISITORS["out"].code)
    patient.tap("continueButton")
    patient.tap("yesButton")
    assert patient.text("outcomeHeadline") == "Sorry, Dr. Ana Martinez is not in the office today."
    assert patient.text("option_other_provider") == "See Dr. Raj Patel instead"
    assert patient.item("option_front_desk") and patient.item("option_reschedule")
    assert day.sent == []  # never a silent check-in into a void
    patient.tap("option_reschedule")
    assert patient.text("doneHeadline") == "Your request was sent."
    assert day.sent[0].outcome == "reschedule"


def test_stale_cache_withholds_estimates_and_points_to_the_desk(
    patient: Patient, day: SampleDay, kiosk: KioskUi
) -> None:
    day.age_s = 1800
    kiosk.tick()
    assert patient.text("staleNote").startswith("Schedule last updated 30 minutes ago.")
    _start(patient, "code")
    patient.type(VISITORS["late"].code)
    patient.tap("continueButton")
    patient.tap("yesButton")
    assert patient.shown("outcomeKind") == "stale"
    assert patient.text("outcomeHeadline") == "You are checked in, Grace!"
    assert "front desk about timing" in patient.text("staleNote")
    assert not any("09:40" in t or "minutes late" in t for t in patient.texts())
    assert day.sent[0].outcome == "checked_in"


def test_idle_reset_counts_down_then_wipes_every_patient_field(
    patient: Patient, day: SampleDay, kiosk: KioskUi
) -> None:
    grace = VISITORS["late"]
    _start(patient, "code")
    patient.type(grace.code)
    patient.tap("continueButton")
    assert patient.sees("Grace H.")
    day.clock.advance(31)
    kiosk.tick()
    assert patient.text("countdownText") == "Starting over in 19 seconds."
    patient.tap("stillHereButton")  # a touch keeps the patient's place
    assert patient.screen == "confirm" and patient.shown("countdown") == 0
    day.clock.advance(51)
    kiosk.tick()
    assert patient.screen == "attract"
    fields = (
        grace.first_name,
        grace.last_name,
        grace.last_name[:3].upper(),
        grace.code,
        grace.dob,
        grace.dob_digits,
        "Grace H.",
    )
    for text in patient.all_texts():
        for value in fields:
            assert value not in text, f"{value!r} still on screen in {text!r}"
    assert [patient.shown(name) for name in ("firstName", "lastInitial", "apptTime", "entry")] == [""] * 4
    view = kiosk.flow.view
    for field in dataclasses.fields(view):
        if field.name not in ("stale", "age_min", "language", "screen"):
            assert getattr(view, field.name) == field.default, field.name
    assert kiosk.flow._appt is None


def test_a_typed_entry_is_wiped_by_the_reset_too(patient: Patient, day: SampleDay, kiosk: KioskUi) -> None:
    _start(patient, "dob")
    patient.type("0909")
    day.clock.advance(55)  # 30 s idle, then the 20 s warning
    kiosk.tick()
    assert patient.screen == "attract" and patient.shown("entry") == ""


def test_language_switch_on_every_screen(patient: Patient) -> None:
    patient.tap("languageButton")
    assert patient.text("startButton") == "Toque aquí para registrarse"
    assert patient.text("languageButton") == "English"
    _start(patient, "code")
    assert patient.text("entryPrompt") == "Su código de confirmación"
    patient.type("ZZZZ99")
    patient.tap("continueButton")
    assert patient.text("messageHeadline") == "No encontramos su cita."
    patient.tap("languageButton")
    assert patient.text("messageHeadline") == "We could not find your appointment."
    patient.tap("languageButton")
    patient.tap("doneButton")
    assert patient.text("startButton") == "Toque aquí para registrarse"  # kept after a finished visit


def test_call_staff_on_every_screen_and_text_size(patient: Patient, kiosk: KioskUi) -> None:
    calls: list[int] = []
    kiosk.flow._on_call_staff = lambda: calls.append(1)
    patient.tap("callStaffButton")
    _start(patient, "dob")
    patient.tap("callStaffButton")
    assert calls == [1, 1] and patient.text("callStaffButton") == "Help is coming"
    before = patient.item("entryPrompt").property("font").pixelSize()
    patient.tap("textSizeButton")
    assert patient.item("entryPrompt").property("font").pixelSize() > before


def test_a_printer_fault_says_so_and_never_blocks(patient: Patient, day: SampleDay) -> None:
    day.printer_ok = False
    patient.ui.flow.scan_qr("PATL34")
    patient.tap("yesButton")
    assert patient.text("ticketNote") == "Your ticket could not be printed. You are still checked in."
    assert day.sent and patient.text("outcomeHeadline") == "You are checked in, Diego!"


def test_a_storage_error_sends_to_the_front_desk(patient: Patient, day: SampleDay) -> None:
    day.fail_submit = True
    patient.ui.flow.scan_qr("PATL34")
    patient.tap("yesButton")
    assert patient.shown("message") == "error" and "front desk" in patient.text("messageDetail")


def test_attract_dims_when_idle_and_wakes_on_touch(patient: Patient, day: SampleDay, kiosk: KioskUi) -> None:
    assert patient.item("startButton").property("visible") is not False
    day.clock.advance(61)
    kiosk.tick()
    assert patient.item("dimOverlay").isVisible()
    patient.tap("dimOverlay")
    assert patient.screen == "welcome" and not patient.shown("dimmed")


def test_a_long_press_in_the_corner_asks_for_the_admin_panel(
    patient: Patient, kiosk: KioskUi, qtbot: QtBot
) -> None:
    fired: list[bool] = []
    kiosk.flow_model.adminRequested.connect(lambda: fired.append(True))
    patient.tap("adminCorner")
    assert fired == []  # a tap is not enough
    patient.long_press("adminCorner", 3200)
    assert fired == [True]


def test_the_still_there_warning_gives_20_seconds_and_a_key_keeps_the_place(
    patient: Patient, day: SampleDay, kiosk: KioskUi
) -> None:
    """WCAG 2.2.1: at least 20 s to say "still here", by a touch or by any key."""
    _start(patient, "code")
    patient.type(VISITORS["late"].code)
    patient.tap("continueButton")
    day.clock.advance(30)
    kiosk.tick()
    assert patient.item("countdownOverlay").isVisible()
    assert patient.shown("countdown") == 20
    day.clock.advance(19.5)
    kiosk.tick()
    assert patient.screen == "confirm" and patient.shown("countdown") == 1
    QTest.keyClick(kiosk.window, Qt.Key.Key_Space)
    patient.settle()
    assert patient.screen == "confirm" and patient.shown("countdown") == 0
    assert not patient.sees("Are you still there?")
    day.clock.advance(49)
    kiosk.tick()
    assert patient.screen == "confirm" and patient.shown("countdown") == 1
    day.clock.advance(1)
    kiosk.tick()
    assert patient.screen == "attract"
