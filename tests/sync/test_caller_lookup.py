"""The caller-ID lookup's wire: the number made E.164 (or refused with a reason that never
shows it), the two messages' round trip and refusals, their topics and the ACL lines."""

from __future__ import annotations

import pytest

from core.errors import WireError
from sync import messages as m
from sync.acl import render_acl
from sync.caller_number import e164
from sync.inbound import InboundDecoder, Rejected
from sync.topics import TopicTree
from sync.wire import decode, encode

TREE = TopicTree("acme", "main")
KEY = "k" * 32


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("+15552010123", "+15552010123"),
        ("15552010123", "+15552010123"),
        ("5552010123", "+15552010123"),
        ("(555) 201-0123", "+15552010123"),
        ("555.201.0123", "+15552010123"),
        ("01144207946000", "+44207946000"),
        ("+44 20 7946 0000", "+442079460000"),
        ("+15550000003", "+15550000003"),  # the sample day's fictional numbers
    ],
)
def test_numbers_become_e164(raw: str, number: str) -> None:
    assert e164(raw) == number


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "withheld"),
        ("anonymous", "not digits"),
        ("555-CALL-NOW", "not digits"),
        ("2010123", "not a full number"),  # seven digits: a local number, no area code
        ("200", "not a full number"),  # an extension
        ("25552010123", "not a full number"),  # eleven digits not starting with 1
        ("+0123456789", "not a full number"),
        ("+1555201012", "not a NANP number"),  # +1 and nine digits
        ("+1234567890123456", "not a full number"),  # 16 digits
        ("1" * 40, "too long"),
        ("\uff15" * 10, "not digits"),  # full-width digits are no ASCII digits
    ],
)
def test_garbage_is_refused_with_a_reason_that_never_shows_it(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        e164(raw)
    assert not raw or raw not in str(caught.value)


def test_the_two_messages_round_trip() -> None:
    ask = m.CallerLookup(KEY, "phone-1", "+15552010123")
    assert decode(encode(ask), m.CallerLookup) == ask
    for answer in (m.CallerMatch(KEY, "a-17"), m.CallerMatch(KEY)):
        assert decode(encode(answer), m.CallerMatch) == answer


@pytest.mark.parametrize(
    "payload",
    [
        m.CallerLookup(KEY, "phone-1", "5552010123"),  # not E.164: the line normalizes first
        m.CallerLookup(KEY, "phone-1", "+1555201012x"),
        m.CallerLookup("short", "phone-1", "+15552010123"),
        m.CallerLookup(KEY, "phone 1", "+15552010123"),
    ],
)
def test_a_bad_lookup_is_refused_naming_the_field_never_the_number(payload: m.CallerLookup) -> None:
    with pytest.raises(WireError) as caught:
        decode(encode(payload), m.CallerLookup)
    assert payload.number not in str(caught.value)


def test_a_match_naming_no_id_is_refused() -> None:
    with pytest.raises(WireError, match="appointment_id"):
        decode(encode(m.CallerMatch(KEY, "a b")), m.CallerMatch)


def test_topics_route_to_the_two_kinds_and_a_line_asks_only_for_itself() -> None:
    decoder = InboundDecoder(TREE)
    ask = m.CallerLookup(KEY, "phone-1", "+15552010123")
    assert decoder.decode(TREE.caller_lookup("phone-1"), encode(ask)) == ask
    forged = decoder.decode(TREE.caller_lookup("phone-2"), encode(ask))  # on another line's branch
    assert isinstance(forged, Rejected) and forged.reason == "topic_mismatch"
    answer = m.CallerMatch(KEY, "a-1")
    assert decoder.decode(TREE.caller_match("phone-1"), encode(answer)) == answer
    assert TREE.caller_lookup("phone-1") in [
        t.replace("+", "phone-1") for t in TREE.hub_subscriptions() if t.endswith("/caller")
    ]
    assert TREE.caller_match("phone-1") in TREE.line_subscriptions("phone-1")
    assert TREE.caller_match("lobby-1") not in TREE.kiosk_subscriptions("lobby-1")


def test_only_the_line_reads_its_answers_and_the_practice_terminal_is_denied_them() -> None:
    acl = render_acl(TREE, "hub", ["lobby-1"], ["desk"], line_users=["phone-1"])
    users = {block.split("\n", 1)[0]: block for block in acl.split("\n\n") if block.startswith("user ")}
    assert f"topic read {TREE.caller_match('phone-1')}" in users["user phone-1"]
    assert "hub/caller" not in users["user lobby-1"]
    assert f"topic deny {TREE.caller_match('+')}" in users["user desk"]
    assert f"topic deny {TREE.caller_lookup('+')}" in users["user desk"]
