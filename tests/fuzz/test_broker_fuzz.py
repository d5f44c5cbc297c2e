"""Generated hostile payloads over a real broker, per topic class, retained and not.

For each class: every payload the oracle (the same decoder, run here) rejects is sent to
the real kiosk or hub, and afterwards: no worker died or counted an error, every payload
was counted under the reason the oracle gave, the known good status and schedule are
still what the kiosk caches and the hub stores, and a status change and a check-in still
go through end to end. ``KIOSK_FUZZ_EXAMPLES`` scales it (25 batches of 1-16 a class in
``make test``; ``python -m devtools fuzz`` runs the 10^5-a-class soak).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from devtools.fuzz_payloads import CLASSES_BY_NAME, TOPIC_CLASSES
from devtools.fuzz_payloads import hostile_payload as make_payload
from hub.store import HubStore
from sync.inbound import InboundDecoder, Rejected
from tests.fuzz.conftest import EXAMPLES, TREE, FuzzSite
from tests.support.clock import wall_today
from tests.support.site import checkin, status_request, wait_for


def _rejected(site: FuzzSite, side: str) -> Counter[str]:
    # dict() copies in one step; iterating a Counter the worker is updating could raise.
    return Counter(dict(site.kiosk.sync._decoder.rejected) if side == "kiosk" else site.hub.rejected())


def _hub_state(store: HubStore) -> tuple[Any, ...]:
    schedule = store.wire_schedule("chen")
    assert schedule is not None, "the hub lost chen's schedule"
    return store.status("chen"), schedule.version, store.checkin_count()


def _good_state(site: FuzzSite) -> tuple[Any, ...]:
    kiosk_status = site.kiosk.status("chen")
    kiosk_schedule = site.kiosk.sync.call(lambda c: c.provider("chen"))
    hub_state = site.hub.call(_hub_state)
    return kiosk_status, kiosk_schedule, hub_state


def _workers_healthy(site: FuzzSite) -> None:
    kiosk, hub = site.kiosk.sync, site.hub
    for worker in (kiosk.worker, hub.worker, kiosk.link.worker, hub.link.worker):
        health = worker.health()
        assert health.alive and health.responsive and health.errors == 0, health
    assert kiosk.link.callback_errors == 0 and hub.link.callback_errors == 0
    assert kiosk._stats["listener_errors"] == 0 and hub.stats["store_errors"] == 0
    assert kiosk.alive(timeout=5) and hub.responsive(timeout=5)


@pytest.mark.parametrize("name", [c.name for c in TOPIC_CLASSES])
def test_hostile_payloads_are_counted_and_change_nothing(site: FuzzSite, name: str) -> None:
    cls = CLASSES_BY_NAME[name]
    topic, day = cls.topic(TREE), wall_today().isoformat()
    oracle = InboundDecoder(TREE, today=date.today if cls.side == "kiosk" else None)
    before = _rejected(site, cls.side)
    good = _good_state(site)
    sent = [0]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
        phases=[Phase.generate],  # a failure is a counting gap: shrinking it would re-send for minutes
    )
    @given(rng=st.randoms(use_true_random=False), count=st.integers(1, 16), retain=st.booleans())
    def one_batch(rng: Any, count: int, retain: bool) -> None:
        # Draw every payload before the oracle counts any: hypothesis may end an example
        # in the middle of its draws (its data budget), and a counted payload must be sent.
        payloads = [make_payload(cls, day, rng) for _ in range(count)]
        # Valid ones could change state legitimately: only the oracle's rejections go out.
        batch = [(topic, p, retain) for p in payloads if isinstance(oracle.decode(topic, p), Rejected)]
        site.publish_all(batch)
        sent[0] += len(batch)
        # In step batch by batch: the counts by reason are exactly the oracle's.
        try:
            wait_for(lambda: _rejected(site, cls.side) - before == oracle.rejected, timeout=60)
        except AssertionError:
            got = _rejected(site, cls.side) - before
            raise AssertionError(f"counted {dict(got)}, expected {dict(oracle.rejected)}") from None

    one_batch()
    assert sent[0] >= EXAMPLES and sum(oracle.rejected.values()) == sent[0]
    _workers_healthy(site)
    assert _good_state(site) == good

    # Afterwards the site still works: a status change reaches the kiosk, a check-in the hub.
    delay = 10 + [c.name for c in TOPIC_CLASSES].index(name)
    site.hub.set_status(status_request("chen", "late", delay))
    wait_for(lambda: (s := site.kiosk.status("chen")) is not None and s.delay_min == delay, what="status")
    checked_in = good[2][2]
    appt = site.kiosk.sync.call(
        lambda c: next(a for a in c.appointments_for("martinez") if a.state == "booked")
    )
    site.kiosk.sync.submit(checkin(appt))
    wait_for(lambda: site.hub.call(lambda s: s.checkin_count()) == checked_in + 1, what="check-in")
    _workers_healthy(site)
