"""A property: random sequences of S12-S26 (orphans, MSH-7 out of order, repeats, missing
optional fields, an ADT reusing an MSH-10) never make the hub publish anything a kiosk's
decoder refuses, never get the wrong ACK, and every row the hub holds for today is on the
kiosk. A slice here; ``make bench`` runs 10,000 messages (``ehr_property_msgs``)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import siu_feed as sf
from tests.support.clock import wall_now

EXAMPLES = int(os.environ.get("KIOSK_EHR_PROPERTY_EXAMPLES", "12"))
_RUNS = itertools.count()

OPS = st.builds(
    sf.Op,
    trigger=st.sampled_from(sf.TRIGGERS),
    appt=st.integers(0, 3),
    minute=st.integers(0, 119),
    pid=st.sampled_from(sf.PIDS),
    start=st.sampled_from(sf.STARTS),
    provider=st.sampled_from(sf.PROVIDERS),
    duration=st.sampled_from(sf.DURATIONS),
    status=st.sampled_from(sf.STATUSES),
    version=st.sampled_from(sf.VERSIONS),
    day=st.sampled_from(sf.DAYS),
    msh7=st.booleans(),
    repeat=st.booleans(),
    adt=st.booleans(),
)


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sf.FeedSite]:
    site = sf.FeedSite(tmp_path_factory.mktemp("ehr-property"))
    yield site
    site.stop()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=14))
def test_no_sequence_makes_a_kiosk_refuse_anything(feed: sf.FeedSite, ops: list[sf.Op]) -> None:
    outcome = sf.run_sequence(feed, ops, f"H{next(_RUNS)}")
    assert outcome.wrong_acks == []
    feed.settle()
    assert feed.problems() == []
    assert feed.kiosk_rows() == feed.hub_rows()


def test_the_generator_makes_every_kind_of_message_it_claims() -> None:
    """The property is only as good as its messages: each option reaches the text."""
    import random

    rng = random.Random(7)
    texts = [sf.op_text(sf.random_op(rng), "G", n, wall_now()) for n in range(400)]
    joined = "\n".join(texts)
    for needle in (
        "SIU^S26",
        "SIU^S17",
        "^^^^^^L~",
        "~~MRN",
        "SOON",
        "AIS|1",
        "9000^min",
        "D9^Who",
        "19800230",
    ):
        assert needle in joined, needle
    assert any("PID|" not in t for t in texts)  # bare updates (orphans when nothing booked them)
