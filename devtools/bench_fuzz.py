"""``fuzz_msgs_per_s``: how many hostile payloads a second the inbound decoder turns into a
message or a counted rejection (issue 11), over every topic class. Pure: no broker; the
payloads are drawn first, so only decoding is timed."""

from __future__ import annotations

import logging
import random
import time
from datetime import date
from typing import Any

from core.clock import SystemClock
from devtools.bench import full_run
from devtools.fuzz_payloads import TOPIC_CLASSES, hostile_payload
from sync.inbound import UNDECODABLE, InboundDecoder
from sync.topics import TopicTree


def run_bench(quick: bool) -> dict[str, Any]:
    # A rate: 20,000 payloads a class measure it as well as 100,000 (``--full``), in a fifth
    # of the time; ``fuzz_payloads`` says how many were decoded.
    per_class = 2_000 if quick else 100_000 if full_run() else 20_000
    tree, rng, day = TopicTree("bench", "main"), random.Random(11), SystemClock().now().date().isoformat()
    logging.getLogger("sync.inbound").setLevel(logging.ERROR)  # one warning a rejection is the log's cost
    decoder = InboundDecoder(tree, today=date.today)
    work = [(c.topic(tree), hostile_payload(c, day, rng)) for c in TOPIC_CLASSES for _ in range(per_class)]
    started = time.perf_counter()
    for topic, payload in work:
        decoder.decode(topic, payload)
    elapsed = time.perf_counter() - started
    return {
        "fuzz_msgs_per_s": round(len(work) / elapsed),
        "fuzz_payloads": len(work),
        "fuzz_rejected": sum(decoder.rejected.values()),
        "fuzz_undecodable": decoder.rejected[UNDECODABLE],
    }
