"""A kiosk check-in goes back to the practice system as SIU^S14 (or ADT^A10) over real
MLLP, through the hub's outbox, until the practice system answers AA, once per appointment."""

from __future__ import annotations

import uuid
from pathlib import Path

from hub import ehr  # noqa: F401 - the package under test
from hub.ehr import hl7v2
from sync import messages as m
from sync.link import LinkEvent
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.clock import wall_now
from tests.support.site import wait_for
from tests.support.siu import EhrHub, Receiver, Siu, ehr_settings, send


def _check_in(site: EhrHub, appointment_id: str, provider_id: str = "chen") -> None:
    """A kiosk's check-in as the hub receives it from the broker."""
    tree = TopicTree("acme", "main")
    msg = m.CheckIn(
        key=uuid.uuid4().hex,
        kiosk_id="lobby-1",
        appointment_id=appointment_id,
        provider_id=provider_id,
        arrived_at=wall_now().isoformat(),
        method="dob",
    )
    site.hub.on_link_event(LinkEvent("message", tree.checkin("lobby-1"), encode(msg)))


def test_a_check_in_is_sent_back_until_aa_and_only_once(tmp_path: Path) -> None:
    receiver = Receiver(answers=["AE", "silent"]).start()  # an error, then no answer at all
    site = EhrHub(
        ehr_settings(
            tmp_path,
            arrivals_host="127.0.0.1",
            arrivals_port=receiver.port,
            arrivals_ack_timeout_s=0.5,
            arrivals_retry_max_s=0.3,
        )
    )
    try:
        start = wall_now().replace(second=0, microsecond=0)
        assert send(
            site.port,
            Siu("B1", start=start, appointment_id="ARR"),
            Siu("B2", start=start, appointment_id="NOT"),
        )
        _check_in(site, "ARR")
        _check_in(site, "ARR")  # a second kiosk, or the patient again: still one arrival
        wait_for(lambda: receiver.applied, 60, "the arrival's AA")
        wait_for(
            lambda: site.query("SELECT state, attempts FROM ehr_outbound") == [("acked", 3)],
            5,
            "the AA recorded",
        )
        assert len(receiver.received) == 3
        assert len(set(receiver.received)) == 1, "every attempt is the same message, with the same MSH-10"
        (text,) = receiver.applied.values()
        message = hl7v2.read(text.encode())
        assert hl7v2.value(hl7v2.first(message, "MSH"), 9, 2) == "S14"
        assert hl7v2.value(hl7v2.first(message, "SCH"), 2) == "ARR"
        assert hl7v2.value(hl7v2.first(message, "SCH"), 25) == "Arrived"
        _check_in(site, "sample-not-from-ehr")  # not a practice-system appointment: nothing to send
        site.hub.call(lambda _s: None)
        assert site.query("SELECT count(*) FROM ehr_outbound") == [(1,)]
    finally:
        site.stop()
        receiver.stop()
