"""The per-call outcome tracker (phone/call_outcomes.py), pure."""

from __future__ import annotations

from phone.call_outcomes import OutcomeTracker


def test_a_caller_who_leaves_before_the_status_ends_hung_up_early() -> None:
    tracker = OutcomeTracker()
    tracker.observe(speech_started=False, speaking=False, keys=0)  # answered, nothing said yet
    tracker.observe(speech_started=True, speaking=True, keys=0)  # the opening is playing
    assert tracker.report(4.2).outcomes == ("hung_up_early",)


def test_the_status_counts_as_heard_once_the_opening_ended_before_any_key() -> None:
    tracker = OutcomeTracker()
    tracker.observe(speech_started=True, speaking=False, keys=0)
    tracker.mark("callback_left")
    assert tracker.report(40).outcomes == ("status_heard", "callback_left")


def test_a_key_that_barged_in_is_not_the_status_heard() -> None:
    tracker = OutcomeTracker()
    tracker.observe(speech_started=True, speaking=True, keys=0)
    tracker.observe(speech_started=True, speaking=False, keys=1)  # the key's answer ended
    tracker.mark("own_not_found")
    tracker.mark("own_not_found")
    assert tracker.report(30).outcomes == ("own_not_found",)
