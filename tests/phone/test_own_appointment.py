"""Key 3, a caller's own appointment: the keypad entry, the lookup against the kiosk's
lookup core, and what is said. Pure: a stepped clock and an in-memory day."""

from __future__ import annotations

from datetime import datetime

import pytest

from phone.own_appointment import Entry, OwnAppointment
from phone.own_lookup import Found, keypad_matches, look_up
from phone.script import CallScript, Day
from sync.cache import Provider
from sync.messages import Appointment, ProviderStatus

TODAY = "2026-12-07"
NOW = datetime(2026, 12, 7, 9, 40)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def now(self) -> datetime:
        return NOW

    def monotonic(self) -> float:
        return self.t


class Cache:
    """The four reads the lookup makes, as ``KioskCache`` answers them."""

    def __init__(self, appts: list[Appointment], statuses: dict[str, ProviderStatus]) -> None:
        self.appts, self.statuses = appts, statuses
        self.providers = {"martinez": "Dr. Ana Martinez", "chen": "Dr. Wei Chen"}

    def appointments_by_dob(self, dobs: list[str]) -> list[Appointment]:
        return [a for a in self.appts if a.dob in dobs]

    def appointment_by_code(self, code: str) -> Appointment | None:
        return None

    def appointments_for(self, provider_id: str) -> list[Appointment]:
        return [a for a in self.appts if a.provider_id == provider_id]

    def status(self, provider_id: str) -> ProviderStatus | None:
        return self.statuses.get(provider_id)

    def provider(self, provider_id: str) -> Provider | None:
        name = self.providers.get(provider_id)
        return Provider(provider_id, name, TODAY, 1) if name else None


def _appt(i: str, first: str, dob: str, start: str = "10:30", provider: str = "martinez") -> Appointment:
    return Appointment(i, provider, f"{TODAY}T{start}", 15, first, "GAR", dob, f"C{i}")


def _status(state: str, delay: int = 0, alternative: str = "") -> ProviderStatus:
    return ProviderStatus(
        provider_id="martinez", version=3, state=state, delay_min=delay, reason="sick",  # type: ignore[arg-type]
        changed_at=f"{TODAY}T07:43", alternative_provider_id=alternative, date=TODAY,
    )  # fmt: skip


DAY = [
    _appt("1", "María José", "1982-03-04"),
    _appt("2", "Sam", "1982-03-04", "11:00"),
    _appt("3", "Natalia", "1990-07-15"),
    _appt("4", "Oscar", "1990-07-15", "11:15"),  # N and O share key 6, A and S do not share a key
    _appt("5", "Obed", "1975-01-20"),
    _appt("6", "Nadia", "1975-01-20", "11:30"),  # "62" matches both: ambiguous
]


def test_keypad_letters_match_a_set_per_key_accents_ignored() -> None:
    assert keypad_matches("62", "María") and keypad_matches("62", "nadia") and keypad_matches("62", "Obed")
    assert (
        not keypad_matches("63", "Maria") and not keypad_matches("6", "") and not keypad_matches("12", "Al")
    )
    assert not keypad_matches("62", "M")  # a one-letter name is not two letters


@pytest.mark.parametrize(
    ("digits", "keys", "found"),
    [
        ("03041982", "62", "María"),  # birth date shared with Sam: the letters pick her
        ("03041982", "72", "Sam"),
        ("07151990", "62", "Natalia"),
        ("07151990", "67", "Oscar"),
        ("01201975", "62", None),  # Obed and Nadia both: ambiguous is not found
        ("03041982", "99", None),
        ("30041982", "62", None),  # one transposed digit: the kiosk asks to confirm, the line does not guess
        ("02301982", "62", None),  # not a date
    ],
)
def test_the_lookup_finds_one_appointment_or_none(digits: str, keys: str, found: str | None) -> None:
    hit = look_up(Cache(DAY, {}), digits, keys, NOW, stale=False)
    assert (hit.first_name if hit else None) == found


def test_cancelled_or_another_days_appointment_is_not_found() -> None:
    day = [
        Appointment("1", "martinez", f"{TODAY}T10:30", 15, "Maria", "GAR", "1982-03-04", "C1", "cancelled"),
        Appointment("2", "martinez", "2026-12-08T10:30", 15, "Maria", "GAR", "1982-03-05", "C2"),
    ]
    assert look_up(Cache(day, {}), "03041982", "62", NOW, stale=False) is None
    assert look_up(Cache(day, {}), "03051982", "62", NOW, stale=False) is None


def _answer(status: ProviderStatus | None, lang: str = "en", stale: bool = False) -> list[str]:
    statuses = {"martinez": status} if status else {}
    found = look_up(Cache(DAY, statuses), "03041982", "62", NOW, stale)
    assert found is not None
    script = CallScript("Riverside", own=OwnAppointment(Clock()), lang=lang)
    return script.looked_up(found)


def test_the_answer_says_the_first_name_time_provider_and_what_the_status_means() -> None:
    on_time = _answer(None)
    assert on_time[:2] == ["María, your appointment with Doctor Martinez is at ten thirty.",
                           "Doctor Martinez is running on time."]  # fmt: skip
    late = _answer(_status("late", 20))
    assert late[1:3] == ["Doctor Martinez is running about twenty minutes late; your new estimated time "
                         "is ten fifty.", "Please come at ten fifty."]  # fmt: skip
    out = _answer(_status("out", alternative="chen"))
    assert out[1:4] == [
        "Doctor Martinez is not in today.",
        "The front desk can also book you with Doctor Chen today.",
        "The front desk will help you reschedule.",
    ]
    assert out[4] == "To leave a request for a call back, press zero."
    assert out[5].startswith("To hear this again, press one.")
    assert _answer(_status("late", 20), stale=True)[1].startswith("I cannot see the doctor's status")
    spanish = _answer(_status("late", 20), "es")
    assert spanish[0] == "María, su cita con el doctor Martinez es a las diez y media."
    assert spanish[2] == "Por favor, venga a las diez y cincuenta."
    said = " ".join(on_time + late + out + spanish)
    assert "José" not in said and "GAR" not in said and "1982" not in said and "sick" not in said
    assert "Sam" not in said  # the other patient of that birth date


def _press(script: CallScript, keys: str) -> list[Entry]:
    day = Day([], {}, TODAY)
    return [r.lookup for r in (script.on_key(k, day) for k in keys) if r.lookup is not None]


def test_key_3_collects_the_date_then_two_letters_and_hands_one_entry_over() -> None:
    clock = Clock()
    script = CallScript("Riverside", own=OwnAppointment(clock))
    begin = script.on_key("3", Day([], {}, TODAY))
    assert "two for the month, two for the day, then the four digits of the year" in begin.prompts[0]
    assert _press(script, "0304198") == []
    assert script.on_key("2", Day([], {}, TODAY)).prompts[0].startswith("Now enter the first two letters")
    [entry] = _press(script, "162")  # 1 has no letters: said so, not counted
    assert (entry.digits, entry.keys) == ("03041982", "62") and "0304" not in repr(entry)
    assert script.keys == ["3"]  # the menu's keys only: the birth date is kept nowhere
    assert script.looked_up(None)[:2] == ["I could not find that appointment.",
                                          "To leave a request for a call back, press zero."]  # fmt: skip
    assert not script.own.collecting


def test_a_wrong_date_is_asked_again_star_cancels_and_a_pause_abandons_the_entry() -> None:
    clock = Clock()
    script = CallScript("Riverside", own=OwnAppointment(clock))
    _press(script, "3")
    reaction = script.on_key("9", Day([], {}, TODAY))
    assert reaction.prompts == []
    assert _press(script, "9999999") == []
    assert script.own.phase == "dob"  # 99/99/9999 is no date: asked again
    assert script.on_key("*", Day([], {}, TODAY)).prompts[-1].startswith("To hear this again")
    _press(script, "30304")
    clock.t += 31
    assert not script.own.collecting  # 31 s without a key: the half-typed date is gone
    assert script.on_key("1", Day([], {}, TODAY)).prompts[0] == "Which doctors are in today?"


def test_three_failed_lookups_per_call_then_only_the_callback_is_offered() -> None:
    script = CallScript("Riverside", own=OwnAppointment(Clock()))
    for _ in range(3):
        _press(script, "3")
        [entry] = _press(script, "0304198262")
        script.looked_up(None)
    assert script.own.failures == 3
    refused = script.on_key("3", Day([], {}, TODAY))
    assert refused.prompts[:2] == ["Sorry, I cannot look up more appointments on this call.",
                                   "To leave a request for a call back, press zero."]  # fmt: skip
    assert not script.own.collecting and entry.keys == "62"


def test_a_found_answer_is_not_a_failure_and_a_cache_fault_is_not_counted() -> None:
    script = CallScript("Riverside", own=OwnAppointment(Clock()))
    _press(script, "3")
    _press(script, "0304198262")
    assert script.lookup_failed()[0] == "Sorry, I cannot look up appointments right now."
    found = look_up(Cache(DAY, {}), "03041982", "62", NOW, stale=False)
    assert isinstance(found, Found)
    script.looked_up(found)
    assert script.own.failures == 0
