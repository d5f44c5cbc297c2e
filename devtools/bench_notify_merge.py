"""``notify_merge_missed``: staff set a provider "late 30" and correct it to "late 20"
inside the default 2 s merge window, at real speed through the real SMSC simulator: how
many of those corrections did a patient miss (told "about 30 min", or told twice)?
The goal is 0 over at least 20 corrections, each at a random point of the window, most
of them in its last half (where a hold cut short by a dropped fraction of a second shows).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from config.settings import HubNotifySettings
from core.clock import SystemClock
from devtools.bench_notify_setup import commit_status, notify_settings, shift_to_ten_am, sms_morning
from devtools.bench_support import wait_for
from devtools.smsc_sim import SmscSim
from hub.notify.notifier import Notifier
from hub.sample import PROVIDERS, start_near
from hub.store import HubStore

_PER_PROVIDER = 3
_TRIALS = 6  # x 4 providers: 24 corrections


def _late(store: HubStore, provider_id: str, delay: int) -> None:
    """Staff set ``provider_id`` late by ``delay`` minutes, as the hub commits it."""
    commit_status(
        store, provider_id, "late", at=SystemClock().now(), changed_by="front-desk-1", delay_min=delay
    )


def _trial(state: Path, rng: random.Random) -> tuple[int, int]:
    """Three corrections (one per provider): (corrections, missed)."""
    smsc = SmscSim().start()
    start = start_near(SystemClock().now() + timedelta(minutes=30), 0)
    plan = sms_morning(start, _PER_PROVIDER)
    phones = {c.appointment_id: c.phone for c in plan.contacts}
    by_provider: dict[str, set[str]] = defaultdict(set)
    for appt in plan.appointments:
        by_provider[appt.provider_id].add(phones[appt.id])
    db = state / "hub" / "hub.sqlite"
    store = HubStore.open(db)
    store.load_day(plan)
    notifier = Notifier(notify_settings(state, smsc), db_path=db)
    notifier.start()
    try:
        window = notifier.cfg.merge_window_s
        offsets = sorted((rng.uniform(0.5, 0.975) * window, p) for p in PROVIDERS)
        began = time.monotonic()
        for provider_id in PROVIDERS:
            _late(store, provider_id, 30)
        for offset, provider_id in offsets:
            time.sleep(max(0.0, began + offset - time.monotonic()))
            _late(store, provider_id, 20)
        everyone = set().union(*by_provider.values())
        wait_for(lambda: {msg.destination for msg in smsc.received()} >= everyone, 30)
        time.sleep(window + 1.0)  # a second message would have come by now
        texts: dict[str, list[str]] = defaultdict(list)
        for msg in smsc.received():
            texts[msg.destination].append(msg.text)
        missed = sum(
            1 for phones_of in by_provider.values() if not all(_told_20(texts[p]) for p in phones_of)
        )
        return len(PROVIDERS), missed
    finally:
        notifier.stop()
        store.close()
        smsc.stop()


def _told_20(texts: list[str]) -> bool:
    """One message, with the corrected delay ("about 20 min" / "unos 20 min")."""
    return len(texts) == 1 and " 20 min" in texts[0]


def run_bench(quick: bool) -> dict[str, Any]:
    shift_to_ten_am()
    rng = random.Random(33)
    corrections = missed = 0
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-merge-") as tmp:
        for trial in range(2 if quick else _TRIALS):
            made, lost = _trial(Path(tmp) / f"trial{trial}", rng)
            corrections += made
            missed += lost
    return {
        "notify_merge_missed": missed,
        "notify_merge": {
            "corrections": corrections,
            "window_s": HubNotifySettings().merge_window_s,
            "goal": "0 missed over >= 20 corrections inside the window",
        },
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_bench("--quick" in sys.argv)))
