"""Caller-ID matching on the line (pure): key 3 asks the hub once about the caller's
number; a match spares the two letter keys only when the birth date keyed is the matched
appointment's, exactly as typed; the prompts are the same with and without a match; no
answer in time is no match. The line's client counts what it skipped and never keeps
the number past the call."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from phone.caller_id import CallerId
from phone.own_appointment import Entry, OwnAppointment, text
from phone.own_lookup import look_up_matched
from phone.script import CallScript, Day
from sync.messages import CallerLookup, CallerMatch
from sync.sync_change import SyncChange
from sync.topics import TopicTree
from sync.wire import decode
from tests.phone.test_own_appointment import DAY, NOW, Cache, Clock, _appt, _status

TREE = TopicTree("acme", "main")
EMPTY = Day([], {}, "2026-12-07")


def _script(match: str = "") -> tuple[CallScript, list[int]]:
    asked: list[int] = []
    script = CallScript("Riverside", own=OwnAppointment(clock=Clock()))
    script.own.ask_caller = lambda: asked.append(1)
    script.own.caller_match = lambda: match
    return script, asked


def _keys(script: CallScript, keys: str) -> list[str]:
    said: list[str] = []
    for key in keys:
        reaction = script.on_key(key, EMPTY)
        said += reaction.prompts
        if reaction.lookup is not None:
            said.append(f"<lookup matched={reaction.lookup.matched} keys={reaction.lookup.keys}>")
    return said


def test_a_match_and_its_date_need_no_letters() -> None:
    script, asked = _script(match="3")
    said = _keys(script, "307151990")
    assert asked == [1]  # key 3 asked the hub
    assert said == [text("ask_dob", "en"), "<lookup matched=3 keys=>"]
    assert (
        look_up_matched(Cache(DAY, {"martinez": _status("on_time")}), "3", "07151990", NOW, False) is not None
    )


def test_the_prompts_are_the_same_without_a_match_and_with_one_whose_date_is_not_keyed() -> None:
    plain, _ = _script(match="")
    matched, _ = _script(match="1")
    without = _keys(plain, "307151990")
    with_match = _keys(matched, "307151990")
    assert with_match[-1] == "<lookup matched=1 keys=>"
    entry = Entry("07151990", "", matched="1")
    assert look_up_matched(Cache(DAY, {}), "1", "07151990", NOW, False) is None  # not María's date
    with_match = [*with_match[:-1], *matched.not_matched(entry)]
    assert with_match == without == [text("ask_dob", "en"), text("ask_letters", "en")]
    # Then the letters, and the same entry the line looks up without caller ID.
    assert _keys(matched, "62") == _keys(plain, "62") == ["<lookup matched= keys=62>"]
    assert matched.own.failures == 0  # the date that was not the match's cost nothing


def test_a_spoken_date_with_a_match_is_looked_up_after_the_yes_and_otherwise_asks_the_name() -> None:
    script, _ = _script(match="3")
    script.on_key("3", EMPTY)
    step = script.own.spoken_date(date(1990, 7, 15), "en")
    assert step.lookup is None  # read back first
    step = script.own.confirmed(True, "en")
    assert step.prompts == [] and step.lookup == Entry("07151990", "", matched="3")
    assert script.not_matched(step.lookup) == [text("ask_name", "en")]
    assert script.own.spoken_first_name("Natalia").lookup == Entry("07151990", "", name="Natalia")


def test_no_answer_in_time_is_no_match_and_a_refused_caller_is_not_asked_about() -> None:
    answers: list[str] = []
    script, _ = _script()
    script.own.caller_match = lambda: answers[0] if answers else ""
    assert _keys(script, "307151990")[-1] == text("ask_letters", "en")
    answers.append("3")  # too late for this entry: the letters were asked for already
    assert _keys(script, "62")[-1].startswith("<lookup matched= ")
    refused, asked_refused = _script(match="3")
    refused.own.may_look_up = lambda: False
    refused.on_key("3", EMPTY)
    assert asked_refused == [] and not refused.own.collecting


@pytest.mark.parametrize(
    ("appointment_id", "digits", "found"),
    [
        ("1", "03041982", True),  # María's own date
        ("2", "03041982", True),  # Sam shares it: the match names which one, no letters needed
        ("1", "03041928", False),  # a transposed year: as typed only
        ("1", "07151990", False),  # another patient's date: nobody else is tried
        ("9", "03041982", False),  # an id the cache does not hold
        ("1", "13041982", False),  # no date
    ],
)
def test_only_the_matched_appointment_with_its_own_date_is_found(
    appointment_id: str, digits: str, found: bool
) -> None:
    hit = look_up_matched(Cache(DAY, {}), appointment_id, digits, NOW, False)
    assert (hit is not None) is found


def test_a_cancelled_or_another_days_match_is_not_found() -> None:
    cancelled = replace(_appt("7", "Rosa", "1960-01-01"), state="cancelled")
    tomorrow = replace(_appt("8", "Ruth", "1961-01-01"), start="2026-12-08T10:30")
    cache = Cache([*DAY, cancelled, tomorrow], {})
    assert look_up_matched(cache, "7", "01011960", NOW, False) is None
    assert look_up_matched(cache, "8", "01011961", NOW, False) is None
    assert look_up_matched(Cache([*DAY, replace(tomorrow, start=NOW.date().isoformat() + "T10:30")], {}),
                           "8", "01011961", NOW, False) is not None  # fmt: skip


class _Link:
    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.sent: list[tuple[str, bytes, int]] = []

    def publish(
        self, topic: str, payload: bytes, qos: int = 1, retain: bool = False, token: object = None, *,
        expiry_s: int = 0,
    ) -> bool:  # fmt: skip
        if self.up:
            self.sent.append((topic, payload, expiry_s))
        return self.up


def test_the_client_asks_once_per_call_and_keeps_the_answer_for_that_call_only() -> None:
    async def run() -> None:
        link, stats = _Link(), Counter[str]()
        client = CallerId(link, TREE, "phone-1", stats)
        client.bind(asyncio.get_running_loop())
        client.ask("c-1", "(555) 201-0123")
        client.ask("c-1", "(555) 201-0123")  # key 3 again: the first question stands
        assert len(link.sent) == 1
        topic, payload, expiry = link.sent[0]
        ask = decode(payload, CallerLookup)
        assert topic == TREE.caller_lookup("phone-1") and ask.number == "+15552010123" and expiry > 0
        client.on_change(SyncChange("caller", message=CallerMatch("f" * 32, "a-9")))  # not ours
        client.on_change(SyncChange("caller", message=CallerMatch(ask.key, "a-1")))
        await asyncio.sleep(0)  # the loop runs the handed-over answers (no time passes)
        assert client.matched("c-1") == "a-1" and client.matched("c-2") == ""
        client.forget("c-1")
        assert client.matched("c-1") == ""
        assert stats == Counter(caller_lookup_sent=1, caller_match_unasked=1, caller_matched=1)

    asyncio.run(run())


@pytest.mark.parametrize(
    ("caller", "up", "counted"),
    [
        ("", True, "caller_lookup_skipped_withheld"),
        ("anonymous", True, "caller_lookup_skipped_not_digits"),
        ("200", True, "caller_lookup_skipped_not_a_full_number"),
        ("5552010123", False, "caller_lookup_unsent"),  # offline: the call goes on without
    ],
)
def test_no_usable_number_or_no_broker_sends_nothing_and_is_counted(
    caller: str, up: bool, counted: str
) -> None:
    link, stats = _Link(up), Counter[str]()
    client = CallerId(link, TREE, "phone-1", stats)
    client.ask("c-1", caller)
    assert link.sent == [] and stats == Counter({counted: 1}) and client.matched("c-1") == ""


class _Charges:
    """The service's ``charge_abandoned`` when it asked the hub about the number: counts."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> bool:
        self.n += 1
        return True


@pytest.mark.parametrize("leave", ["star", "pause", "hang_up"])
def test_an_entry_left_at_the_letters_costs_a_try_when_the_number_was_asked_about(leave: str) -> None:
    """Else a forger with a patient's number could test dates for free: the letters
    question after a date means "not the match's". Charged the same with and without a
    match, so the count tells nothing either."""
    for match in ("1", ""):
        charged = _Charges()
        script, _ = _script(match=match)
        script.own.charge_abandoned = charged  # the number was asked about
        said = _keys(script, "307151990")
        if match:
            assert said[-1] == "<lookup matched=1 keys=>"
            script.not_matched(Entry("07151990", "", matched="1"))
        if leave == "star":
            script.on_key("*", EMPTY)
        elif leave == "pause":
            script.own.clock.t += 31  # type: ignore[attr-defined]  # the test's stepped clock
            assert not script.own.collecting
        else:
            script.own.hung_up()
        assert charged.n == 1 and script.own.failures == 1, (match, leave)


def test_an_entry_left_before_its_date_or_without_a_question_costs_nothing() -> None:
    charged = _Charges()
    script, _ = _script(match="1")
    script.own.charge_abandoned = charged
    _keys(script, "30715*")  # left in the middle of the date
    assert charged.n == 0 and script.own.failures == 0
    plain, _ = _script()
    plain.own.charge_abandoned = lambda: False  # no question went out (withheld number, offline)
    _keys(plain, "307151990*")
    assert plain.own.failures == 0
