"""No log line of the fuzz or an end-to-end check-in carries a seeded name, birth date or
code (issue 22): neither pytest's capture nor the JSON stream journald would keep."""

from __future__ import annotations

import io
import logging
import random

import pytest

from core.logs import JsonFormatter
from devtools.fuzz_payloads import SEEDED, TOPIC_CLASSES, hostile_payload
from hub.sample import sample_morning
from tests.fuzz.conftest import TREE, FuzzSite
from tests.support.clock import wall_today
from tests.support.site import checkin, wait_for


def test_no_log_line_carries_patient_data(site: FuzzSite, caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        rng, day = random.Random(22), wall_today().isoformat()
        before = sum(site.kiosk.sync._decoder.rejected.values()) + sum(site.hub.rejected().values())
        batch = [
            (c.topic(TREE), hostile_payload(c, day, rng), False) for c in TOPIC_CLASSES for _ in range(30)
        ]
        site.publish_all(batch)
        wait_for(
            lambda: (
                sum(site.kiosk.sync._decoder.rejected.values()) + sum(site.hub.rejected().values())
                >= before + 200
            ),
            what="the payloads to be handled",
        )
        # An end-to-end check-in of a real (sample) patient, whose name and DOB are known.
        checked_in = site.hub.call(lambda s: s.checkin_count())
        appt = site.kiosk.sync.call(
            lambda c: next(a for a in c.appointments_for("chen") if a.state == "booked")
        )
        site.kiosk.sync.submit(checkin(appt))
        wait_for(lambda: site.hub.call(lambda s: s.checkin_count()) == checked_in + 1, what="check-in")
    finally:
        root.removeHandler(handler)
    patients = sample_morning(wall_today()).appointments
    seeded = {
        *SEEDED,
        *(a.last_name for a in patients),
        *(a.dob for a in patients),
        *(a.code for a in patients),
    }
    seeded |= {f"{a.first_name} {a.last_name}" for a in patients}
    lines = stream.getvalue().splitlines() + [r.getMessage() + " " + str(r.__dict__) for r in caplog.records]
    assert len(lines) > 200
    leaks = [(s, line[:200]) for line in lines for s in seeded if s.lower() in line.lower()]
    assert not leaks, leaks[:5]
