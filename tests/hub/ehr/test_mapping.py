"""The pure core: frame text to a message, a message to what it means, ACKs and arrivals."""

from __future__ import annotations

import itertools
import warnings
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import hl7
import pytest

from core.errors import WireError
from hub.ehr import acks, hl7v2, siu
from tests.support.siu import TRIGGERS, VERSIONS, Siu, real_world_mess

CHICAGO = ZoneInfo("America/Chicago")
RULES = siu.Rules(CHICAGO, 15)


def _event(text: str) -> siu.Event | siu.Refusal:
    message = hl7v2.read(text.encode())
    head = siu.header(message, CHICAGO)
    assert isinstance(head, siu.Header)
    return siu.refusal_of_type(head) or siu.event(message, head, RULES)


def _booking(text: str) -> siu.Booking:
    ev = _event(text)
    assert isinstance(ev, siu.Event), ev
    return ev.booking


_BASE = (
    "MSH|^~\\&|E|C|K|P|20261130080000||SIU^{t}|C1|P|2.5\rSCH|{sch}\r{more}PID|1||M1||Fam^Giv||19800101\r{res}"
)


def _msg(
    t: str = "S12", sch: str = "P1|F1", more: str = "TQ1|1||||||202611300930\r", res: str = "AIP|1||D1\r"
) -> str:
    return _BASE.format(t=t, sch=sch, more=more, res=res)


def test_decode_reads_latin1_when_msh18_says_so_and_falls_back_otherwise() -> None:
    latin = "MSH|^~\\&|E|C|K|P|||SIU^S12|C|P|2.5|||||8859/1\rPID|1||M||Peña^José\r".encode("latin-1")
    assert "Peña" in hl7v2.decode(latin)
    assert "Peña" in hl7v2.decode("MSH|^~\\&|E\rPID|Peña\r".encode("latin-1"))  # not UTF-8: the fallback


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "empty message"),
        ("PID|1\r", "no MSH segment"),
        ("MSH|", "too short"),
        ("MSH1^~\\&|E|C|", "MSH-1"),
    ],
)
def test_unreadable_frames_say_why(text: str, detail: str) -> None:
    with pytest.raises(hl7v2.Unreadable, match=detail):
        hl7v2.normalize(text)


def test_noise_before_msh_is_dropped() -> None:
    assert hl7v2.normalize("\x0b  \nFHS|junk\nMSH|^~\\&|E\n").startswith("MSH|^~\\&|E")


def test_times_take_their_own_offset_else_the_practice_zone() -> None:
    with_offset = hl7v2.parse_time("202607011200+0200", CHICAGO, "TQ1-7")
    assert with_offset is not None and with_offset.astimezone(UTC).hour == 10
    local = hl7v2.parse_time("202607011200", CHICAGO, "TQ1-7")
    assert local is not None and hl7v2.local_minute(local, CHICAGO) == "2026-07-01T12:00"
    with pytest.raises(WireError, match="TQ1-7 is not a date and time"):
        hl7v2.parse_time("tomorrow", CHICAGO, "TQ1-7")
    assert hl7v2.birth_date("19800229") == "1980-02-29"
    with pytest.raises(WireError, match="no year, month and day"):
        hl7v2.birth_date("1980")
    with pytest.raises(WireError, match="not a real date"):
        hl7v2.birth_date("19810229")


def test_start_falls_back_from_tq1_to_sch11_to_the_resources() -> None:
    assert _booking(_msg()).start == "2026-11-30T09:30"
    assert _booking(_msg(sch="P1|F1|||||||||^^^202611301000", more="")).start == "2026-11-30T10:00"
    assert _booking(_msg(more="", res="AIP|1||D1|||202611301100\r")).start == "2026-11-30T11:00"
    refused = _event(_msg(more=""))
    assert isinstance(refused, siu.Refusal) and "no start" in refused.reason


def test_duration_falls_back_and_converts_units() -> None:
    assert _booking(_msg(more="TQ1|1||||||202611300930||||||1^h\r")).duration_min == 60
    assert _booking(_msg(sch="P1|F1|||||||30|min")).duration_min == 30
    assert _booking(_msg(res="AIP|1||D1|||202611300930|||40|MIN\r")).duration_min == 40
    assert _booking(_msg()).duration_min == 15  # the site's default
    too_long = _event(_msg(sch="P1|F1|||||||9|hours"))
    assert isinstance(too_long, siu.Refusal) and "duration" in too_long.reason


def test_provider_falls_back_from_aip_to_aig_pv1_and_sch16() -> None:
    assert [p.ehr_id for p in _booking(_msg(res="AIG|1||G1\r")).providers] == ["G1"]
    pv1 = _booking(_msg(more="TQ1|1||||||202611300930\rPV1|1|O|||||PV7^Doe^Jo\r", res=""))
    assert [(p.ehr_id, p.name) for p in pv1.providers] == [("PV7", "Jo Doe")]
    sch16 = _booking(_msg(sch="P1|F1||||||||||||||S16", res=""))
    assert [p.ehr_id for p in sch16.providers] == ["S16"]
    refused = _event(_msg(res=""))
    assert isinstance(refused, siu.Refusal) and "no provider" in refused.reason


def test_filler_status_maps_to_the_appointment_state() -> None:
    status = "P1|F1" + "|" * 23
    assert _booking(_msg(sch=status + "Noshow")).state == "no_show"
    assert _booking(_msg(sch=status + "Arrived")).state == "checked_in"
    assert _booking(_msg(sch=status + "Cancelled")).state == "cancelled"
    assert _booking(_msg(sch=status + "Whatever")).state == "booked"
    assert _booking(_msg(t="S15", sch=status + "Booked")).state == "cancelled"  # the trigger wins


def test_a_bare_cancel_is_taken_without_the_bookings_details() -> None:
    ev = _event("MSH|^~\\&|E|C|K|P|||SIU^S15|C9|P|2.3\rSCH|P1|F1\r")
    assert isinstance(ev, siu.Event) and not ev.complete and ev.booking.state == "cancelled"


def test_appointment_ids_the_protocol_cannot_carry_get_a_stable_digest() -> None:
    assert siu.appointment_key("A-1.2") == "A-1.2"
    odd = siu.appointment_key("12/34 X")
    assert odd == siu.appointment_key("12/34 X") and odd.startswith("h") and "/" not in odd


def test_an_ae_names_the_error_in_msa3_and_err_for_old_and_new_versions() -> None:
    sender = acks.Sender("KIOSK", "ACME")
    for version, err in (("2.3", "ERR|^^^207&Application internal error&HL70357"), ("2.5", "ERR|||207^")):
        message = hl7v2.read(Siu("C1", version=version).bytes())
        reply = acks.ack(message, "AE", "a|b", control_id="A1", sender=sender, now=datetime(2026, 11, 30, 9))
        text = reply.decode()
        assert "MSA|AE|C1|a\\F\\b" in text and err in text
        assert acks.read_ack(reply) == acks.AckReply("AE", "C1", "a|b")


def test_an_arrival_repeats_the_booking_with_its_status_and_never_the_phone() -> None:
    booking = _booking(Siu("C1", phone="555-0199").text())
    when = datetime(2026, 11, 30, 9, 31)
    text = acks.arrival(booking.echo, "KA1", created=when, arrived=when, sender=acks.Sender("KIOSK", "ACME"))
    again = acks.arrival(booking.echo, "KA1", created=when, arrived=when, sender=acks.Sender("KIOSK", "ACME"))
    assert text == again, "a resend is the same message"
    message = hl7v2.read(text.encode())
    assert hl7v2.value(hl7v2.first(message, "MSH"), 9, 2) == "S14"
    assert hl7v2.value(hl7v2.first(message, "SCH"), 25) == "Arrived"
    assert hl7v2.value(hl7v2.first(message, "PID"), 3) == "MRN1"
    assert "555-0199" not in text
    adt = acks.arrival(
        booking.echo, "KA2", created=when, arrived=when, sender=acks.Sender("K", ""), kind="ADT^A10"
    )
    assert adt.split("\r")[1].startswith("EVN|A10|")


# --- the fast paths read what the library reads ---------------------------------------


def _corpus() -> list[str]:
    texts = [Siu(f"C{v}{t}", t, version=v).text() for v in VERSIONS for t in TRIGGERS]
    texts += list(real_world_mess("20261130").values())
    texts.append(
        "MSH|^~\\&|A^B&C|F|||20261130||SIU^S12|X1|P|2.5\rPID|1||M1^^^C^MR~M2&x^^^C^PI||"
        'Sm\\T\\ith^M\\S\\ary^^^^^L~Alias^A||""|F|||||555&1~666\rZZZ|a~b^c&d&e^f|\\H\\b\\N\\|""\r'
    )
    return [hl7v2.normalize(text) for text in texts]


def _extract(segment: object, fld: int, component: int, sub: int, rep: int) -> str:
    """What ``hl7v2.value`` promises: python-hl7's ``extract_field``, stripped, '' for nulls."""
    try:
        text = str(segment.extract_field(1, fld, rep, component, sub)).strip()  # type: ignore[attr-defined]
    except (IndexError, KeyError, TypeError, ValueError):
        return ""
    return "" if text == '""' else text


def test_the_parse_is_python_hl7s_tree_and_value_its_extract_field() -> None:
    for text in _corpus():
        ours, theirs = hl7v2.library_parse(text), hl7.parse(text)
        assert ours == theirs and str(ours) == str(theirs)
        for mine, lib in zip(ours, theirs, strict=True):
            assert [type(f) for f in mine] == [type(f) for f in lib]
            for fld in range(1, len(lib) + 2):
                for component, sub, rep in itertools.product((1, 2, 3, 6, 7), (1, 2, 3), (1, 2, 3)):
                    assert hl7v2.value(mine, fld, component, sub, rep) == _extract(
                        lib, fld, component, sub, rep
                    )


def test_parsing_only_what_the_mapping_reads_maps_the_same() -> None:
    for text in _corpus():
        full, part = hl7v2.parse(text), hl7v2.parse(text, siu.READS)
        head = siu.header(full, CHICAGO)
        assert head == siu.header(part, CHICAGO)
        if isinstance(head, siu.Header):
            assert siu.event(full, head, RULES, text) == siu.event(part, head, RULES, text)


def _library_ack(message: hl7.Message, code: str, reason: str, now: datetime) -> bytes:
    """The ACK as python-hl7's ``create_ack`` writes it (what ``acks.ack`` must equal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        reply = message.create_ack(code, message_id="AC1", application="KIOSK", facility="ACME")
    reply.segment("MSH").assign_field(acks.stamp(now), 7)
    if not reason:
        return str(reply).encode()
    text = reply.escape(reason)
    reply.segment("MSA").assign_field(text, 3)
    number, name = {"AR": ("200", "Unsupported message type")}.get(
        code, ("207", "Application internal error")
    )
    if hl7v2.value(hl7v2.first(message, "MSH"), 12)[:3] in ("2.2", "2.3", "2.4"):
        err = f"ERR|^^^{number}&{name}&HL70357"
    else:
        err = f"ERR|||{number}^{name}^HL70357|E||||{text}"
    return (str(reply) + err + "\r").encode()


def test_the_ack_is_what_python_hl7_writes_and_a_short_msh_gets_one_too() -> None:
    sender, now = acks.Sender("KIOSK", "ACME"), datetime(2026, 11, 30, 9)
    for text in _corpus():
        message = hl7v2.parse(text, siu.READS)
        for code, reason in (("AA", ""), ("AE", "a|b^c&d~e\\f"), ("AR", "not taken")):
            ours = acks.ack(message, code, reason, control_id="AC1", sender=sender, now=now)
            assert ours == _library_ack(message, code, reason, now)
    short = hl7v2.read(b"MSH|^~\\&|E|C|K|P|20261130||SIU|X1\rSCH|1\r")  # no MSH-11/12, no trigger
    reply = acks.ack(short, "AR", "no trigger", control_id="AX1", sender=sender, now=now)
    assert acks.read_ack(reply) == acks.AckReply("AR", "X1", "no trigger")
    assert reply.startswith(b"MSH|^~\\&|KIOSK|ACME|E|C|20261130090000||ACK^^ACK|AX1||\r")
