"""The check-in flow, pure: a day in memory, a manual clock, every path a patient takes."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from core.clock import ManualClock
from core.errors import StorageError
from domain.estimate import Outcome
from domain.flow import VOLUME_RANGE, CheckInFlow, FlowSettings, FlowView, Patient, PrintTicket, Screen
from sync.cache import Provider
from sync.messages import Appointment, AppointmentState, CheckIn, ProviderStatus

DAY = "2026-11-30"


def _appt(
    i: str,
    provider: str,
    time: str,
    first: str,
    prefix: str,
    dob: str,
    code: str,
    state: AppointmentState = "booked",
) -> Appointment:
    return Appointment(i, provider, f"{DAY}T{time}", 15, first, prefix, dob, code, state)


class Day:
    def __init__(self) -> None:
        self.appts = [
            _appt("a1", "chen", "09:30", "Maria", "GAR", "1982-03-04", "K7QX2M"),
            _appt("a2", "chen", "09:00", "James", "SMI", "1982-03-04", "P3RT9A"),
            _appt("a3", "martinez", "09:45", "Aisha", "NGU", "1990-07-21", "ZZ22AA"),
            _appt("a4", "chen", "12:30", "Liam", "BRO", "1975-12-01", "LATE12"),
            _appt("a5", "chen", "08:00", "Sofia", "LOP", "1966-05-05", "EARLY8"),
            _appt("a6", "chen", "09:15", "Noah", "KIM", "2001-01-01", "DONE11", "checked_in"),
            _appt("a7", "chen", "09:10", "Mei", "GAR", "1982-03-04", "TWIN22"),
        ]
        self.statuses: dict[str, ProviderStatus] = {}
        self.providers = {
            "chen": "Dr. Wei Chen",
            "martinez": "Dr. Ana Martinez",
            "okafor": "Dr. Ngozi Okafor",
        }

    def appointments_by_dob(self, dobs: list[str]) -> list[Appointment]:
        return [a for a in self.appts if a.dob in dobs]

    def appointment_by_code(self, code: str) -> Appointment | None:
        return next((a for a in self.appts if a.code == code), None)

    def appointments_for(self, provider_id: str) -> list[Appointment]:
        return [a for a in self.appts if a.provider_id == provider_id]

    def status(self, provider_id: str) -> ProviderStatus | None:
        return self.statuses.get(provider_id)

    def provider(self, provider_id: str) -> Provider | None:
        name = self.providers.get(provider_id)
        return Provider(provider_id, name, DAY, 1) if name else None


class Harness:
    def __init__(
        self, age: float = 0.0, fail_submit: bool = False, print_ticket: PrintTicket | None = None
    ) -> None:
        self.day = Day()
        self.clock = ManualClock(datetime.fromisoformat(f"{DAY}T09:05"))
        self.sent: list[CheckIn] = []
        self.age = age
        self.fail = fail_submit
        self.staff_calls = 0
        self.flow = CheckInFlow(
            self.day,
            self._submit,
            self.clock,
            "lobby-1",
            cache_age=lambda: self.age,
            on_call_staff=self._staff,
            print_ticket=print_ticket,
            settings=FlowSettings(idle_timeout_s=30, countdown_s=10),
        )

    def screen(self) -> Screen:
        """The screen now (a call, so mypy keeps no narrowing from an earlier assert)."""
        return self.flow.view.screen

    @property
    def outcome(self) -> Outcome:
        """The outcome on screen; the test fails here if the flow shows none."""
        outcome = self.flow.view.outcome
        assert outcome is not None, f"no outcome on the {self.flow.view.screen} screen"
        return outcome

    @property
    def patient(self) -> Patient:
        """The patient on screen; the test fails here if the flow shows none."""
        patient = self.flow.view.patient
        assert patient is not None, f"no patient on the {self.flow.view.screen} screen"
        return patient

    def _submit(self, msg: CheckIn) -> bool:
        if self.fail:
            raise StorageError("database or disk is full")
        self.sent.append(msg)
        return True

    def _staff(self) -> None:
        self.staff_calls += 1


@pytest.fixture
def h() -> Harness:
    return Harness()


def test_dob_then_letters_then_on_time_checks_in_with_a_wait_estimate(h: Harness) -> None:
    f = h.flow
    f.wake()
    assert h.screen() == Screen.WELCOME
    f.start("dob")
    f.enter_dob("03041982")
    assert h.screen() == Screen.LETTERS  # three patients share that birthday
    f.enter_letters("sm")
    assert h.screen() == Screen.CONFIRM
    assert f.view.patient is not None
    assert (f.view.patient.first_name, f.view.patient.last_initial) == ("James", "S")
    assert f.view.patient.provider_name == "Dr. Wei Chen"
    f.confirm(True)
    assert h.screen() == Screen.OUTCOME and h.outcome.kind == "on_time"
    assert f.view.queued and h.sent[0].appointment_id == "a2" and h.sent[0].outcome == "checked_in"
    assert h.outcome.wait_min == 0  # 09:00 booked, it is 09:05, nobody ahead


def test_letters_that_still_match_two_patients_go_to_the_front_desk(h: Harness) -> None:
    h.flow.start("dob")
    h.flow.enter_dob("03041982")
    h.flow.enter_letters("GA")  # Maria Garcia and Mei Garcia-...: never list them
    assert h.flow.view.screen == Screen.MESSAGE and h.flow.view.message == "ambiguous"
    assert h.flow.view.patient is None


def test_code_and_qr_find_the_appointment(h: Harness) -> None:
    h.flow.start("code")
    h.flow.enter_code("zz22aa")
    assert h.flow.view.screen == Screen.CONFIRM and h.patient.first_name == "Aisha"
    h.flow.reset()
    h.flow.scan_qr("https://practice.example/c/K7QX2M")
    assert h.flow.view.screen == Screen.CONFIRM and h.flow.view.method == "qr"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("LATE12", "too_early"),
        ("EARLY8", "too_late"),
        ("DONE11", "already_checked_in"),
        ("NOPE99", "not_found"),
    ],
)
def test_outside_the_window_or_unknown_ends_in_a_clear_message(h: Harness, code: str, message: str) -> None:
    h.flow.start("code")
    h.flow.enter_code(code)
    assert h.flow.view.screen == Screen.MESSAGE and h.flow.view.message == message
    assert h.sent == []
    if message == "too_early":
        assert h.flow.view.opens_at == "11:30"


def test_provider_late_offers_wait_or_return(h: Harness) -> None:
    h.day.statuses["chen"] = ProviderStatus("chen", 3, "late", delay_min=20, date=DAY)
    h.flow.enter_code("K7QX2M")
    h.flow.confirm(True)
    out = h.outcome
    assert out.kind == "late" and out.options == ("waiting_late", "return_later")
    # 09:30 + 20 min late = 09:50; it is 09:05.
    assert out.estimated == datetime.fromisoformat(f"{DAY}T09:50") and out.wait_min == 45
    assert h.sent == []  # nothing is sent until the patient chooses
    h.flow.choose("waiting_late")
    assert h.flow.view.screen == Screen.DONE and h.sent[0].outcome == "waiting_late"


def test_provider_out_offers_the_practice_options_never_a_silent_checkin(h: Harness) -> None:
    h.day.statuses["martinez"] = ProviderStatus(
        "martinez", 1, "out", reason="sick", alternative_provider_id="okafor", date=DAY
    )
    h.flow.enter_code("ZZ22AA")
    h.flow.confirm(True)
    view = h.flow.view
    assert h.outcome.kind == "out" and h.outcome.options == (
        "other_provider",
        "front_desk",
        "reschedule",
    )
    assert view.alternative_name == "Dr. Ngozi Okafor"
    assert h.sent == []
    h.flow.choose("reschedule")
    assert h.sent[0].outcome == "reschedule"


def test_leaving_early_before_the_appointment_ends_reads_as_out(h: Harness) -> None:
    h.day.statuses["chen"] = ProviderStatus("chen", 2, "leaving_early", leaving_at="09:20", date=DAY)
    h.flow.enter_code("K7QX2M")
    h.flow.confirm(True)
    assert h.outcome.kind == "out"


def test_yesterdays_status_does_not_apply_today(h: Harness) -> None:
    h.day.statuses["chen"] = ProviderStatus("chen", 2, "out", date="2026-11-29")
    h.flow.enter_code("K7QX2M")
    h.flow.confirm(True)
    assert h.outcome.kind == "on_time"


def test_stale_cache_withholds_estimates_and_points_to_the_desk() -> None:
    h = Harness(age=1800)
    h.flow.reset()
    assert h.flow.view.stale and h.flow.view.age_min == 30
    h.day.statuses["chen"] = ProviderStatus("chen", 3, "late", delay_min=20, date=DAY)
    h.flow.enter_code("K7QX2M")
    h.flow.confirm(True)
    assert h.outcome.kind == "stale" and h.outcome.wait_min is None
    assert h.sent and h.sent[0].outcome == "checked_in"  # still checked in, through the outbox


def test_patients_ahead_add_to_the_wait(h: Harness) -> None:
    h.day.appts.append(_appt("a8", "chen", "09:20", "Omar", "ADA", "1970-01-01", "AHEAD1", "checked_in"))
    h.flow.enter_code("K7QX2M")  # 09:30; Noah (09:15) and Omar (09:20) are checked in and waiting
    h.flow.confirm(True)
    assert h.outcome.wait_min == 30  # max(25 min to 09:30, 2 x 15 min queue)


def test_idle_countdown_then_reset_wipes_every_patient_field(h: Harness) -> None:
    h.flow.enter_code("K7QX2M")
    assert h.flow.view.patient is not None
    h.clock.advance(31)
    h.flow.tick()
    assert h.flow.view.countdown == 9
    h.flow.touch()
    assert h.flow.view.countdown == 0
    h.clock.advance(41)
    h.flow.tick()
    view = h.flow.view
    assert view.screen == Screen.ATTRACT
    for fld in dataclasses.fields(view):
        if fld.name not in ("stale", "age_min", "language", "screen"):
            assert getattr(view, fld.name) == fld.default, fld.name
    assert h.flow._appt is None
    assert h.flow.metrics.counts["abandoned"] == 1


def test_call_staff_works_from_any_screen_and_a_disk_error_sends_to_the_desk() -> None:
    h = Harness(fail_submit=True)
    h.flow.enter_code("K7QX2M")
    h.flow.call_staff()
    assert h.flow.view.staff_called and h.staff_calls == 1
    h.flow.confirm(True)
    assert h.flow.view.screen == Screen.MESSAGE and h.flow.view.message == "error"


def test_saying_no_on_confirm_never_checks_in(h: Harness) -> None:
    h.flow.enter_code("K7QX2M")
    h.flow.confirm(False)
    assert h.flow.view.screen == Screen.MESSAGE and h.flow.view.message == "declined" and h.sent == []


def test_metrics_record_no_patient_data(h: Harness) -> None:
    h.flow.start("code")
    h.clock.advance(12)
    h.flow.enter_code("K7QX2M")
    h.flow.confirm(True)
    summary = h.flow.metrics.summary()
    assert summary["checkin_completed"] == 1 and summary["checkin_seconds_p50"] == 12.0
    assert not any("Maria" in k or "K7QX2M" in k for k in summary)


def test_a_ticket_printed_in_the_background_reports_later_and_never_blocks() -> None:
    printed: list[str] = []

    def background(patient: Patient, view: FlowView) -> bool | None:  # the shell prints on a worker
        printed.append(patient.first_name)  # thread and answers later
        return None

    h = Harness(print_ticket=background)
    h.flow.enter_code("K7QX2M")
    h.flow.confirm(True)
    assert h.flow.view.ticket == "printing" and h.sent and printed == ["Maria"]
    h.flow.ticket_done(False)
    assert h.flow.view.ticket == "failed"
    h.flow.ticket_done(True)  # a late answer after the state moved on changes nothing
    assert h.flow.view.ticket == "failed"


def test_volume_is_the_patient_s_own_bounded_and_forgotten_at_the_idle_reset(h: Harness) -> None:
    f = h.flow
    f.wake()
    f.change_volume(1)
    assert f.view.volume == 1
    for _ in range(10):
        f.change_volume(1)
    assert f.view.volume == VOLUME_RANGE[1]  # bounded
    for _ in range(10):
        f.change_volume(-1)
    assert f.view.volume == VOLUME_RANGE[0]
    h.clock.advance(f.settings.idle_timeout_s - 1)
    f.tick()
    assert f.view.countdown == 0  # a volume key is a touch: the idle time counts from it
    h.clock.advance(f.settings.idle_timeout_s + f.settings.countdown_s)
    f.tick()
    assert f.view.screen == Screen.ATTRACT and f.view.volume == 0  # the next patient hears the default


def test_idle_seconds_count_from_the_last_touch(h: Harness) -> None:
    h.clock.advance(5)
    assert h.flow.idle_s() == 5
    h.flow.touch()
    assert h.flow.idle_s() == 0


def test_voice_narrows_a_shared_birth_date_by_first_name_without_listing_names(h: Harness) -> None:
    f = h.flow
    f.start("dob")
    f.enter_dob("03041982", method="voice")
    assert f.view.screen == Screen.LETTERS and f.view.method == "voice"
    assert f.view.patient is None  # three patients share the date; none is shown
    f.choose_first_name("  JAMES ")
    assert h.screen() == Screen.CONFIRM and h.patient.first_name == "James"
    f.confirm(True)
    assert h.sent[0].appointment_id == "a2" and h.sent[0].method == "voice"


@pytest.mark.parametrize(("name", "message"), [("Olga", "not_found"), ("", "not_found")])
def test_a_first_name_that_matches_none_of_them_is_not_found(h: Harness, name: str, message: str) -> None:
    h.flow.enter_dob("03041982", method="voice")
    h.flow.choose_first_name(name)
    assert h.flow.view.screen == Screen.MESSAGE and h.flow.view.message == message
    assert h.flow.view.patient is None


def test_first_name_only_counts_on_the_letters_screen_and_accents_fold(h: Harness) -> None:
    h.flow.choose_first_name("Maria")  # attract: nothing happens
    assert h.flow.view.screen == Screen.ATTRACT
    h.day.appts.append(_appt("a8", "chen", "09:20", "José", "RUI", "1982-03-04", "JOSE11"))
    h.flow.enter_dob("03041982")
    h.flow.choose_first_name("jose")
    assert h.screen() == Screen.CONFIRM and h.patient.first_name == "José"
    assert h.flow.view.method == "dob"


def test_two_patients_with_the_same_first_name_and_birth_date_go_to_the_desk(h: Harness) -> None:
    h.day.appts.append(_appt("a9", "chen", "09:40", "Maria", "LEE", "1982-03-04", "TWIN33"))
    h.flow.enter_dob("03041982", method="voice")
    h.flow.choose_first_name("Maria")
    assert h.flow.view.screen == Screen.MESSAGE and h.flow.view.message == "ambiguous"


def test_an_unknown_method_is_recorded_as_dob(h: Harness) -> None:
    h.flow.enter_dob("07211990", method="carrier-pigeon")
    assert h.flow.view.method == "dob"


def test_an_abandoned_visit_returns_to_the_kiosks_own_language() -> None:
    h = Harness()
    h.flow = CheckInFlow(h.day, h._submit, h.clock, "lobby-1", settings=FlowSettings(language="es"))
    assert h.flow.view.language == "es"
    h.flow.set_language("en")
    h.flow.enter_code("K7QX2M")
    h.clock.advance(60)
    h.flow.tick()
    assert h.flow.view.screen == Screen.ATTRACT and h.flow.view.language == "es"


def test_a_voice_session_finished_on_the_screen_counts_as_a_fallback_and_times_are_bucketed(
    h: Harness,
) -> None:
    f = h.flow
    f.start("dob")
    f.enter_dob("03041982", method="voice")  # spoken: three patients share it
    f.back()
    h.clock.advance(40)
    f.enter_dob("03041982")  # typed instead
    f.enter_letters("sm")
    f.confirm(True)
    assert h.sent[0].method == "dob"
    summary = f.metrics.summary()
    assert summary["checkin_voice_sessions"] == 1 and summary["checkin_voice_to_touch"] == 1
    assert summary["checkin_seconds_le_60"] == 1 and "checkin_seconds_le_30" not in summary


def test_a_voice_session_finished_by_voice_is_no_fallback_and_an_abandoned_one_is_counted(h: Harness) -> None:
    f = h.flow
    f.start("dob")
    f.enter_dob("03041982", method="voice")
    f.choose_first_name("James")
    f.confirm(True)
    assert h.sent[0].method == "voice"
    f.reset()
    f.start("dob")
    f.enter_dob("03041982", method="voice")
    f.reset(abandoned=True)
    counts = f.metrics.counts
    assert counts["voice_sessions"] == 2 and counts["voice_to_touch"] == 0
    assert counts["abandoned_after_voice"] == 1 and counts["abandoned"] == 1


def test_flow_counts_start_again_on_a_new_day(h: Harness) -> None:
    h.flow.start("dob")
    h.flow.reset(abandoned=True)
    assert h.flow.metrics.counts["sessions"] == 1
    h.clock.advance(24 * 3600)
    h.flow.start("dob")
    assert h.flow.metrics.counts["sessions"] == 1 and h.flow.metrics.counts["abandoned"] == 0
