"""Staff proofs on the wire: declared once on each message, round-tripped, checked, and
covering every other field."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace

import pytest

from core.errors import WireError
from sync import messages as m
from sync import staff_messages as sm
from sync.proof import PROOF_FIELDS, matches, sign, signed_bytes
from sync.wire import Message, decode, encode

KEY = b"\x01" * 32
REQ = m.StatusChangeRequest(
    "k" * 16, "lobby-1", "chen", "late", "ben", "2026-11-30T07:43:00", delay_min=20, role="front_desk"
)
SIGNED: list[Message] = [
    replace(REQ, proof=sign(KEY, REQ), approval_proof=sign(b"\x02" * 32, REQ)),
    replace(
        e := sm.StaffEvent("e" * 16, "lobby-1", "2026-11-30T07:43:00", "login", "ben", "front_desk"),
        proof=sign(KEY, e),
    ),
    replace(
        a := sm.NoticeAck("a" * 16, "lobby-1", "n-chen-1", "ana", "2026-11-30T07:44:00"), proof=sign(KEY, a)
    ),
]


@pytest.mark.parametrize("msg", SIGNED, ids=lambda msg: msg.KIND)
def test_a_signed_message_round_trips_and_its_proof_still_holds(msg: Message) -> None:
    back = decode(encode(msg), type(msg))
    assert back == msg
    assert matches((KEY,), back, back.proof)  # type: ignore[attr-defined]


@pytest.mark.parametrize("msg", SIGNED, ids=lambda msg: msg.KIND)
def test_every_field_but_the_proofs_is_signed(msg: Message) -> None:
    proof = msg.proof  # type: ignore[attr-defined]
    for f in dataclasses.fields(msg):
        if f.name in PROOF_FIELDS:
            continue
        value = getattr(msg, f.name)
        other = value + 1 if isinstance(value, int) else f"{value}x"
        assert not matches((KEY,), replace(msg, **{f.name: other}), proof), f.name
    assert json.loads(signed_bytes(msg))["kind"] == msg.KIND


@pytest.mark.parametrize("bad", ["zz" * 32, "A" * 64, "0" * 63, "0" * 65])
def test_a_proof_that_is_not_64_hex_digits_is_a_wire_error(bad: str) -> None:
    body = json.loads(encode(REQ))
    body["proof"] = bad
    with pytest.raises(WireError, match="proof"):
        decode(json.dumps(body).encode(), m.StatusChangeRequest)


def test_messages_from_before_proofs_still_decode_without_them() -> None:
    body = json.loads(encode(REQ))
    del body["proof"], body["approval_proof"]
    assert decode(json.dumps(body).encode(), m.StatusChangeRequest).proof == ""


def test_matches_needs_one_of_the_keys_and_the_exact_proof() -> None:
    proof = sign(KEY, REQ)
    assert matches((b"\x09" * 32, KEY), REQ, proof)
    assert not matches((b"\x09" * 32,), REQ, proof)
    assert not matches((KEY,), REQ, "")
    assert not matches((), REQ, proof)
