"""Failed own-appointment lookups across calls (phone/lookup_limit.py, pure, time passed in)
and key 3's refusal in the script (phone/own_appointment.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.clock import ManualClock
from phone.lookup_limit import WITHHELD, LookupLimiter, LookupLimits
from phone.own_appointment import OwnAppointment, text

DAY = 86_400.0


def test_a_number_is_refused_after_its_failures_in_the_window_and_free_again_after() -> None:
    limiter = LookupLimiter(LookupLimits(per_number=3, window_s=DAY, per_line_hour=100))
    caller = limiter.number_key("+1 555 0199")
    for t in (0.0, 600.0, 1200.0):
        assert limiter.refused(caller, t) == ""
        limiter.failed(caller, t)
    assert limiter.refused(caller, 1300.0) == "number"
    assert limiter.refused(limiter.number_key("+15550123"), 1300.0) == ""  # another number may
    assert limiter.refused(caller, DAY - 1) == "number"
    assert limiter.refused(caller, DAY) == ""  # the first failure left the window
    assert limiter.refused(caller, DAY + 1200.0) == ""


def test_the_number_is_kept_only_as_a_keyed_hash() -> None:
    one, two = LookupLimiter(LookupLimits(), key=b"k" * 32), LookupLimiter(LookupLimits(), key=b"j" * 32)
    key = one.number_key("+1 (555) 0199")
    assert key == one.number_key("15550199") and "5550199" not in key and len(key) == 32
    assert key != two.number_key("+15550199")  # another process's key: nothing to compare
    assert one.number_key("") == one.number_key("anonymous") == WITHHELD  # withheld callers share one


def test_the_whole_line_is_refused_after_its_hourly_failures_from_many_numbers() -> None:
    limiter = LookupLimiter(LookupLimits(per_number=6, window_s=DAY, per_line_hour=5))
    for n in range(5):  # five forged numbers, one failure each
        limiter.failed(limiter.number_key(f"+1555000{n}"), float(n))
    fresh = limiter.number_key("+15559999")
    assert limiter.refused(fresh, 10.0) == "line"
    assert limiter.refused(fresh, 3599.0) == "line"
    assert limiter.refused(fresh, 3600.0) == ""  # the first failure left the hour


def test_the_table_forgets_the_stalest_numbers_past_its_size() -> None:
    limiter = LookupLimiter(LookupLimits(per_number=1, window_s=DAY, per_line_hour=10**6, max_numbers=3))
    keys = [limiter.number_key(f"+1555000{n}") for n in range(4)]
    for t, key in enumerate(keys):
        limiter.failed(key, float(t))
    assert len(limiter) == 3
    assert limiter.refused(keys[0], 10.0) == ""  # forgotten
    assert all(limiter.refused(k, 10.0) == "number" for k in keys[1:])


@pytest.mark.parametrize("lang", ["en", "es"])
def test_key_3_refused_says_so_and_offers_the_desk_and_a_callback(lang: str) -> None:
    allowed = [True]
    clock = ManualClock(datetime(2026, 12, 7, 9, 0))
    own = OwnAppointment(clock=clock, desk=True, may_look_up=lambda: allowed[0])
    assert own.begin(lang).prompts == [text("ask_dob", lang)]
    own.on_key("*", lang)
    allowed[0] = False
    step = own.begin(lang)
    assert step.to_menu and step.lookup is None
    assert step.prompts == [text("refused", lang), text("offer_desk", lang), text("offer_callback", lang)]
    assert not own.collecting
