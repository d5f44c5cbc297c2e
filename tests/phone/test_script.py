"""What the line says, worded from the cached day: pure, no audio."""

from __future__ import annotations

import pytest

from phone.script import CallScript, Day, summary
from sync.cache import Provider
from sync.messages import ProviderStatus

TODAY = "2026-12-07"
PROVIDERS = [Provider("martinez", "Dr. Ana Martinez", TODAY, 3), Provider("chen", "Dr. Wei Chen", TODAY, 2)]


def _status(
    provider: str, state: str, delay: int = 0, leaving: str = "", date: str = TODAY
) -> ProviderStatus:
    return ProviderStatus(
        provider_id=provider, version=4, state=state, delay_min=delay, leaving_at=leaving,  # type: ignore[arg-type]
        reason="sick" if state == "out" else "", changed_by="desk", changed_at=f"{TODAY}T07:43", date=date,
    )  # fmt: skip


def test_the_summary_says_each_providers_status_by_title_and_family_name() -> None:
    day = Day(PROVIDERS, {"martinez": _status("martinez", "out"), "chen": _status("chen", "late", 22)}, TODAY)
    assert summary(day, "en") == [
        "Which doctors are in today?",
        "Doctor Martinez is out today.",
        "Doctor Chen is running about twenty minutes late.",
    ]
    said = " ".join(summary(day, "en") + summary(day, "es"))
    assert "Ana" not in said and "Wei" not in said and "sick" not in said  # no first names, no reasons


def test_yesterdays_status_and_a_stale_cache_are_not_passed_off_as_today() -> None:
    day = Day(PROVIDERS, {"martinez": _status("martinez", "out", date="2026-12-06")}, TODAY, live=False)
    assert summary(day, "en")[1:] == ["Doctor Martinez is on time.", "Doctor Chen is on time.",
                                      "This may not be up to date."]  # fmt: skip
    assert summary(Day([], {}, TODAY), "en")[1:] == ["There is no schedule for today yet."]


@pytest.mark.parametrize(
    ("key", "first"),
    [("1", "Which doctors are in today?"), ("9", "Sorry, that key is not an option.")],
)
def test_keys_replace_what_is_playing(key: str, first: str) -> None:
    script = CallScript("Riverside Family Practice")
    reaction = script.on_key(key, Day(PROVIDERS, {}, TODAY))
    assert reaction.prompts[0] == first and not reaction.callback


def test_the_opening_then_spanish_after_2_and_one_callback_per_call() -> None:
    script = CallScript("Riverside Family Practice", emergency="911")
    day = Day(PROVIDERS, {"chen": _status("chen", "leaving_early", leaving="14:30")}, TODAY)
    opening = script.opening(day)
    assert opening[:3] == [
        "If this is an emergency, hang up and dial 9 1 1.",
        "Thank you for calling Riverside Family Practice.",
        "Para español, oprima dos.",
    ]
    assert "Doctor Chen is leaving early, at two thirty." in opening
    spanish = script.on_key("2", day).prompts
    assert spanish[0] == "Gracias por llamar a Riverside Family Practice."
    assert "El doctor Chen se va temprano, a las dos y media." in spanish
    assert script.on_key("0", day).callback
    assert script.callback_recorded(True)[0] == "Gracias. La recepción le devolverá la llamada."
    again = script.on_key("0", day)
    assert not again.callback and again.prompts[0] == "Su pedido de llamada ya está registrado."
